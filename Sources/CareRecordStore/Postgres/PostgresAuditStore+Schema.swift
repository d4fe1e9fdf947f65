import PostgresNIO

extension PostgresAuditStore {
    /// The same columns as the SQLite log (unquoted, so PostgreSQL folds them to lower case and SQL reads alike on both);
    /// integers are bigint and `recorded` is the FHIR instant as given, so every value hashes as it was linked.
    static let columns = SQLiteAuditStore.columns

    /// Named and additive; recorded in `schema_migration` beside the repository's.
    static let migrations = [
        PostgresMigration("audit-v1-log", [
            """
            CREATE TABLE auditRecord (
                sequence bigint PRIMARY KEY,
                recorded text COLLATE "C" NOT NULL, requestID text NOT NULL,
                userSub text, userName text, userRole text, userOds text, userRegistration text, clientAddress text,
                method text NOT NULL, path text NOT NULL, interaction text NOT NULL, resourceType text, patientNHS text,
                returned text, status bigint NOT NULL, reasonCode text NOT NULL, basis text, accessReason text,
                previousHash text NOT NULL, hash text NOT NULL,
                purposeOfUse text, clientRequestID text, correlationID text, attemptedPatientNHS text, throttledCount bigint
            )
            """,
            "CREATE INDEX auditRecord_byPatient ON auditRecord (patientNHS, recorded)",
            "CREATE INDEX auditRecord_byAttemptedPatient ON auditRecord (attemptedPatientNHS) WHERE attemptedPatientNHS IS NOT NULL",
            "CREATE TABLE auditHead (id integer PRIMARY KEY CHECK (id = 1), sequence bigint NOT NULL, hash text NOT NULL)",
            """
            CREATE FUNCTION auditRecord_refuseChange() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
            """,
            "CREATE TRIGGER auditRecord_appendOnlyUpdate BEFORE UPDATE ON auditRecord FOR EACH ROW EXECUTE FUNCTION auditRecord_refuseChange()",
            "CREATE TRIGGER auditRecord_appendOnlyDelete BEFORE DELETE ON auditRecord FOR EACH ROW EXECUTE FUNCTION auditRecord_refuseChange()",
            "CREATE TRIGGER auditRecord_appendOnlyTruncate BEFORE TRUNCATE ON auditRecord FOR EACH STATEMENT EXECUTE FUNCTION auditRecord_refuseChange()",
        ]),
        PostgresMigration("audit-v2-organisation-review", [
            "ALTER TABLE auditRecord ADD COLUMN patientRegisteredOds text, ADD COLUMN reviewOf bigint, ADD COLUMN reviewOutcome text, ADD COLUMN reviewNote text",
            "CREATE INDEX auditRecord_byRecorded ON auditRecord (recorded)",
            "CREATE INDEX auditRecord_byUser ON auditRecord (userSub, recorded)",
            "CREATE INDEX auditRecord_byReviewed ON auditRecord (reviewOf) WHERE reviewOf IS NOT NULL",
        ]),
    ]

    /// One multi-row `INSERT` of linked records.
    static func insert(_ records: ArraySlice<AuditRecord>) -> PostgresQuery {
        var fragment = SQLFragment()
        let rows = records.map { record in
            let values = [
                fragment.bind(record.sequence), fragment.bind(record.recorded), fragment.bind(record.requestID),
                fragment.bind(record.userSub), fragment.bind(record.userName), fragment.bind(record.userRole),
                fragment.bind(record.userOds), fragment.bind(record.userRegistration), fragment.bind(record.clientAddress),
                fragment.bind(record.method), fragment.bind(record.path), fragment.bind(record.interaction),
                fragment.bind(record.resourceType), fragment.bind(record.patientNHS), fragment.bind(record.returned),
                fragment.bind(record.status), fragment.bind(record.reasonCode), fragment.bind(record.basis),
                fragment.bind(record.accessReason), fragment.bind(record.previousHash), fragment.bind(record.hash),
                fragment.bind(record.purposeOfUse), fragment.bind(record.clientRequestID), fragment.bind(record.correlationID),
                fragment.bind(record.attemptedPatientNHS), fragment.bind(record.throttledCount),
                fragment.bind(record.patientRegisteredOds), fragment.bind(record.reviewOf), fragment.bind(record.reviewOutcome),
                fragment.bind(record.reviewNote),
            ]
            return "(\(values.joined(separator: ",")))"
        }
        return PostgresQuery(unsafeSQL: "INSERT INTO auditRecord (\(columns)) VALUES \(rows.joined(separator: ","))", binds: fragment.binds)
    }

    /// Decodes rows selected with `columns`, in that order.
    static func records(_ rows: PostgresRowSequence) async throws -> [AuditRecord] {
        var records: [AuditRecord] = []
        for try await row in rows {
            records.append(try record(row.makeRandomAccess()))
        }
        return records
    }

    static func record(_ cells: PostgresRandomAccessRow) throws -> AuditRecord {
        var record = AuditRecord(
            recorded: try cells[1].decode(String.self), requestID: try cells[2].decode(String.self), method: try cells[9].decode(String.self),
            path: try cells[10].decode(String.self), interaction: try cells[11].decode(String.self), status: try cells[15].decode(Int.self),
            reasonCode: try cells[16].decode(String.self))
        record.sequence = try cells[0].decode(Int64.self)
        record.userSub = try cells[3].decode(String?.self)
        record.userName = try cells[4].decode(String?.self)
        record.userRole = try cells[5].decode(String?.self)
        record.userOds = try cells[6].decode(String?.self)
        record.userRegistration = try cells[7].decode(String?.self)
        record.clientAddress = try cells[8].decode(String?.self)
        record.resourceType = try cells[12].decode(String?.self)
        record.patientNHS = try cells[13].decode(String?.self)
        record.returned = try cells[14].decode(String?.self)
        record.basis = try cells[17].decode(String?.self)
        record.accessReason = try cells[18].decode(String?.self)
        record.previousHash = try cells[19].decode(String.self)
        record.hash = try cells[20].decode(String.self)
        record.purposeOfUse = try cells[21].decode(String?.self)
        record.clientRequestID = try cells[22].decode(String?.self)
        record.correlationID = try cells[23].decode(String?.self)
        record.attemptedPatientNHS = try cells[24].decode(String?.self)
        record.throttledCount = try cells[25].decode(Int?.self)
        record.patientRegisteredOds = try cells[26].decode(String?.self)
        record.reviewOf = try cells[27].decode(Int64?.self)
        record.reviewOutcome = try cells[28].decode(String?.self)
        record.reviewNote = try cells[29].decode(String?.self)
        return record
    }
}
