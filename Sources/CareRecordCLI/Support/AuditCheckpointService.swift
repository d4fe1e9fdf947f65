import CareRecordServer
import CareRecordStore
import FHIR
import Foundation
import Logging
import ServiceLifecycle

/// Signs checkpoints of the audit chain's head (issue 8.5): at start, every few seconds while records are appended, and at
/// shutdown; each goes to the append-only checkpoint file and to the log, which operators ship off the host.
struct AuditCheckpointService: Service {
    let log: AuditLog
    let store: any CheckpointedAuditStore
    let key: AuditSigningKey
    let file: String
    let node: String
    let logger: Logger
    static let interval: Duration = .seconds(2)

    func run() async throws {
        var signed: Int64 = 0
        signed = await checkpoint(try await store.head(), after: signed)
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
            } catch {
                break
            }
            signed = await checkpoint(await log.head, after: signed)
        }
        signed = await checkpoint(await log.head, after: signed)
    }

    /// Signs and writes a checkpoint of `head` if it is past the last one signed; returns the sequence signed.
    func checkpoint(_ head: (sequence: Int64, hash: String)?, after signed: Int64) async -> Int64 {
        guard let head, head.sequence > signed else { return signed }
        do {
            let checkpoint = try key.checkpoint(sequence: head.sequence, headHash: head.hash, time: FHIRDateTime.instant(Date()), node: node)
            try AuditCheckpointFile.append(checkpoint, to: file)
            logger.notice("audit checkpoint", metadata: ["checkpoint": "\(checkpoint.jsonLine)"])
            return head.sequence
        } catch {
            logger.error("audit checkpoint not written", metadata: ["error": "\(error)"])
            return signed
        }
    }

    /// The service for the API's own audit store: loads the signing key, creating it beside the audit database when absent.
    static func make(_ configuration: CareRecordConfiguration, api: CareRecordAPI, logger: Logger) throws -> AuditCheckpointService {
        guard let store = api.auditStore as? any CheckpointedAuditStore else { throw CLIError("the audit store cannot be checkpointed") }
        return try make(configuration, log: api.auditLog, store: store, logger: logger)
    }

    static func make(
        _ configuration: CareRecordConfiguration, log: AuditLog, store: any CheckpointedAuditStore, logger: Logger
    ) throws -> AuditCheckpointService {
        let (key, created) = try AuditSigningKey.loadOrCreate(path: configuration.audit.signingKey)
        if created {
            logger.notice(
                "audit signing key created; keep a copy of its public key off this host",
                metadata: ["path": "\(configuration.audit.signingKey)", "public_key": "\(key.publicKeyPEM)"])
        }
        return AuditCheckpointService(
            log: log, store: store, key: key, file: configuration.audit.checkpointFile,
            node: ProcessInfo.processInfo.hostName, logger: logger)
    }
}
