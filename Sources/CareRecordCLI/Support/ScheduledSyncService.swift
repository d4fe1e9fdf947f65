import CareRecordStore
import Foundation
import Logging
import ServiceLifecycle
import Upstream

/// Runs a sync of every source each day at the configured time, inside `serve`, on one node at a time (the record's sync
/// lock; the others skip and say so); reads go on meanwhile (each refresh is one transaction).
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
            let reports: [ImportReport]
            do {
                guard let held = try await runner.syncExclusively(sources) else {
                    logger.notice("scheduled sync skipped: another node (or care-record sync) holds the sync lock")
                    continue
                }
                reports = held
            } catch {
                logger.error("scheduled sync not started: the sync lock cannot be taken", metadata: ["error_type": "\(type(of: error))"])
                continue
            }
            for report in reports {
                if report.succeeded {
                    logger.info("scheduled sync ok", metadata: ["source": "\(report.sourceId)", "patients": "\(report.patients)"])
                } else {
                    logger.error("scheduled sync failed, last good data kept", metadata: ["source": "\(report.sourceId)", "error": "\(report.error ?? "")"])
                }
            }
        }
    }
}
