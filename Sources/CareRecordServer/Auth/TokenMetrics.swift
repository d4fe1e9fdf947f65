import CoreMetrics

/// Token verification: lookups in the cache of verified tokens (a hit costs no signature check) and outcomes, accepted
/// or refused by reason (`expired`, `unknownKey`, ...). Never the token, its subject or its claims.
struct TokenMetrics: Sendable {
    let hits: Counter
    let misses: Counter
    let factory: any MetricsFactory

    static let cacheLabel = "care_record_token_cache_lookups_total"
    static let verificationsLabel = "care_record_token_verifications_total"

    init(factory: any MetricsFactory) {
        self.factory = factory
        hits = Counter(label: Self.cacheLabel, dimensions: [("result", "hit")], factory: factory)
        misses = Counter(label: Self.cacheLabel, dimensions: [("result", "miss")], factory: factory)
    }

    func cacheLookup(hit: Bool) {
        (hit ? hits : misses).increment()
    }

    func accepted() {
        Counter(label: Self.verificationsLabel, dimensions: [("outcome", "accepted")], factory: factory).increment()
    }

    func refused(_ reason: TokenRejection) {
        Counter(label: Self.verificationsLabel, dimensions: [("outcome", "\(reason)")], factory: factory).increment()
    }
}
