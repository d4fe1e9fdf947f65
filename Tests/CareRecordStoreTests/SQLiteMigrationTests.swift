@testable import CareRecordStore
import FHIR
import Foundation
import GRDB
import Testing

/// Migrations of the record's SQLite file keep every row a record of an earlier version held.
@Suite("SQLite migrations")
struct SQLiteMigrationTests {
    @Test("clinical entries kept by id (WITHOUT ROWID) by earlier versions move to a table in arrival order, none lost or changed")
    func clinicalEntriesInArrivalOrder() async throws {
        let folder = scratchFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("care-record.sqlite").path
        let nhs = NHSNumber("9434765919")!
        let rows: [(id: String, type: String, source: String, json: String)] = [
            ("f00d", "Condition", "gp-a81001", #"{"resourceType":"Condition","id":"f00d"}"#),
            ("0a0a", "AllergyIntolerance", "acute-rjr", #"{"resourceType":"AllergyIntolerance","id":"0a0a"}"#),
            ("beef", "Condition", "acute-rjr", #"{"resourceType":"Condition","id":"beef"}"#),
        ]
        do {
            // A record as versions before v5 left it: the table of v1, its rows, and v5 not yet applied.
            let repository = try SQLiteCareRecordRepository(path: path)
            try await repository.pool.write { db in
                try db.execute(sql: """
                    DROP TABLE clinicalEntry;
                    CREATE TABLE clinicalEntry (
                        id TEXT PRIMARY KEY NOT NULL, resourceType TEXT NOT NULL, nhsNumber TEXT NOT NULL, sourceId TEXT NOT NULL,
                        lastUpdated DATETIME NOT NULL, versionId TEXT NOT NULL, resource BLOB NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX clinicalEntry_byPatient ON clinicalEntry(nhsNumber, resourceType, id);
                    CREATE INDEX clinicalEntry_bySource ON clinicalEntry(sourceId);
                    DELETE FROM grdb_migrations WHERE identifier = 'v5-clinical-entries-in-arrival-order';
                    """)
                for row in rows {
                    try db.execute(
                        sql: "INSERT INTO source (id, ods) VALUES (?, 'X') ON CONFLICT DO NOTHING", arguments: [row.source])
                    try db.execute(
                        sql: """
                            INSERT INTO clinicalEntry (id, resourceType, nhsNumber, sourceId, lastUpdated, versionId, resource)
                            VALUES (?, ?, ?, ?, '2026-11-01 10:00:00.000', 'v1', ?)
                            """,
                        arguments: [row.id, row.type, nhs.value, row.source, Data(row.json.utf8)])
                }
                #expect(throws: DatabaseError.self) { try db.execute(sql: "SELECT rowid FROM clinicalEntry") }
            }
        }
        let reopened = try SQLiteCareRecordRepository(path: path)
        // Its indexes are back, and the patient query uses its own.
        let indexes = try reopened.readNow { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clinicalEntry' AND sql IS NOT NULL ORDER BY name")
        }
        #expect(indexes == ["clinicalEntry_byPatient", "clinicalEntry_bySource"])
        let plan = try reopened.readNow { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM clinicalEntry WHERE nhsNumber = ? AND resourceType = ? ORDER BY id", arguments: [nhs.value, "Condition"])
                .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
        }
        #expect(plan.contains("clinicalEntry_byPatient"), "\(plan)")
        #expect(try reopened.readNow { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_clinicalEntry%'") } == true)
        // Now a rowid table: rows in the order of their source, then id.
        let order = try reopened.readNow { db in try String.fetchAll(db, sql: "SELECT id FROM clinicalEntry ORDER BY rowid") }
        #expect(order == ["0a0a", "beef", "f00d"])
        for row in rows {
            let stored = try await reopened.clinicalEntry(ClinicalResourceType(rawValue: row.type)!, id: row.id, consistentWith: nil)
            #expect(stored?.json == Data(row.json.utf8))
            #expect(stored?.sourceId == row.source)
            #expect(stored?.nhsNumber == nhs)
        }
        let conditions = try await reopened.clinicalEntries(.condition, patient: nhs, page: PageRequest(offset: 0, count: 50))
        #expect(conditions.items.map(\.id).sorted() == ["beef", "f00d"])
        // The id stays unique: a second row with an id replaces the first, as an import's INSERT OR REPLACE expects.
        try await reopened.pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO clinicalEntry (id, resourceType, nhsNumber, sourceId, lastUpdated, versionId, resource)
                VALUES ('beef', 'Condition', ?, 'acute-rjr', '2026-11-02 10:00:00.000', 'v2', x'7B7D')
                """, arguments: [nhs.value])
        }
        #expect(try reopened.readNow { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM clinicalEntry") } == 3)
        #expect(try await reopened.clinicalEntry(.condition, id: "beef", consistentWith: nil)?.versionId == "v2")
    }
}
