/// Example patients of a generated region, by situation, for demos, tests and benchmarks (`region-summary.json`).
public struct RegionSummary: Codable, Sendable, Equatable {
    public var patients = 0
    public var optedOut = 0
    public var blocked = 0
    public var withConsent = 0
    public var invalidNHSNumbers = 0
    /// Registered at A81001, with permanent consent.
    public var registeredAtA81001: String?
    /// Active episode at RJR, permanent consent, not registered with RJR (hospitals never are).
    public var hospitalActiveWithConsent: String?
    /// Active episode at RJR, no sharing decision.
    public var hospitalActiveWithoutConsent: String?
    /// Only an ended episode at RJR, no sharing decision.
    public var hospitalEndedEpisode: String?
    /// No relationship with RJR at all.
    public var notKnownToHospital: String?
    /// Active episode at RJR and opted out.
    public var hospitalOptedOut: String?
    /// Active episode at RJR and blocked.
    public var hospitalBlocked: String?

    public init() {}
}
