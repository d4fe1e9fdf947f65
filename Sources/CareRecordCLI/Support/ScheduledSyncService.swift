import CareRecordStore
import Foundation
import Logging
import ServiceLifecycle
import Upstream

/// Runs a sync of every source each day at the configured time, inside `serve`; reads go on meanwhile (WAL snapshots).
struct ScheduledSyncService: Service {
    let schedule: DailySchedule
    let runner: SyncRunner
    let sources: [SourceConfiguration]
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled {
            let next = schedule.nextRun(after: Date())
            logger.info("next scheduled sync", metadata: ["at": "\(next)"])
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(max(1, next.timeIntervalSinceNow)))
                }
            } catch {
                return
            }
            for report in await runner.sync(sources) {
                if report.succeeded {
                    logger.info("scheduled sync ok", metadata: ["source": "\(report.sourceId)", "patients": "\(report.patients)"])
                } else {
                    logger.error("scheduled sync failed, last good data kept", metadata: ["source": "\(report.sourceId)", "error": "\(report.error ?? "")"])
                }
            }
        }
    }
}
