import GRDB

extension SQLiteAuditStore {
    /// The chain head as recorded with the last append (nil for an empty log): what a checkpoint signs.
    public func head() async throws -> (sequence: Int64, hash: String)? {
        try await pool.read { try Self.head($0) }
    }

    /// Checks the whole chain as `verify()` does, and against signed checkpoints kept outside this file,
    /// which also finds a chain recomputed after an edit, cut short below a checkpoint, or restored from an older copy.
    public func verify(checkpoints: [AuditCheckpoint], key: AuditVerifyKey) async throws -> AuditVerification {
        try await pool.read { db in
            var verifier = AuditCheckpointVerifier(checkpoints: checkpoints, key: key)
            if let problem = verifier.signatureProblem { return AuditVerification(records: 0, problem: problem) }
            // A cursor, so the log is checked in constant memory however long it is.
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(Self.columns) FROM auditRecord ORDER BY sequence")
            while let row = try cursor.next() {
                if let problem = verifier.check(Self.record(row)) {
                    return AuditVerification(records: verifier.checked, problem: problem)
                }
            }
            return AuditVerification(records: verifier.checked, problem: verifier.finish(head: try Self.head(db)))
        }
    }
}
