import CareRecordServer
import Foundation
import Logging
import ServiceLifecycle

/// Periodic work inside `serve`: reloads the JWKS every `auth.jwksRefreshSeconds`, and audits finished minutes of
/// rate-limited requests; at shutdown, audits what is left.
struct MaintenanceService: Service {
    let api: CareRecordAPI
    let jwksRefreshSeconds: Int
    let logger: Logger
    static let tick: Duration = .seconds(5)

    func run() async throws {
        var sinceReload: Duration = .zero
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.tick) }
            } catch {
                break
            }
            await flushThrottled(before: Date())
            sinceReload += Self.tick
            if jwksRefreshSeconds > 0, sinceReload >= .seconds(jwksRefreshSeconds) {
                sinceReload = .zero
                await reloadKeys()
            }
        }
        await flushThrottled(before: nil)
    }

    func reloadKeys() async {
        let before = api.verifier.keyStatus
        if await api.verifier.reload() {
            let after = api.verifier.keyStatus
            if after.lastLoaded != before.lastLoaded {
                logger.notice("JWKS changed; remembered tokens forgotten", metadata: ["keys": "\(after.keys)"])
            }
        } else {
            logger.error("JWKS reload failed; last good keys kept", metadata: ["error": "\(api.verifier.keyStatus.lastError ?? "")"])
        }
    }

    func flushThrottled(before now: Date?) async {
        do {
            try await api.throttled.flush(before: now, log: api.auditLog)
        } catch {
            logger.error("rate-limit summary not audited yet; kept for the next attempt", metadata: ["error_type": "\(type(of: error))"])
        }
    }
}
