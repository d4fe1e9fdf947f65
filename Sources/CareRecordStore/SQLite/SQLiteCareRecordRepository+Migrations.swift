import GRDB

extension SQLiteCareRecordRepository {
    /// Named migrations; never edit one that has shipped, add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-combined-record") { db in
            try db.execute(sql: """
                CREATE TABLE source (
                    id TEXT PRIMARY KEY NOT NULL,
                    ods TEXT NOT NULL
                );
                CREATE TABLE importRun (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    sourceId TEXT NOT NULL REFERENCES source(id),
                    succeeded BOOLEAN NOT NULL,
                    report TEXT NOT NULL
                );
                CREATE INDEX importRun_bySource ON importRun(sourceId, succeeded, id);

                CREATE TABLE patientRecord (
                    nhsNumber TEXT NOT NULL,
                    sourceId TEXT NOT NULL,
                    upstreamId TEXT NOT NULL,
                    lastUpdated DATETIME NOT NULL,
                    versionId TEXT NOT NULL,
                    resource BLOB NOT NULL,
                    PRIMARY KEY (nhsNumber, sourceId)
                ) WITHOUT ROWID;
                CREATE INDEX patientRecord_bySource ON patientRecord(sourceId);

                CREATE TABLE registration (
                    nhsNumber TEXT NOT NULL,
                    sourceId TEXT NOT NULL,
                    sourceOds TEXT NOT NULL,
                    practiceOds TEXT NOT NULL,
                    lastUpdated DATETIME NOT NULL,
                    PRIMARY KEY (nhsNumber, sourceId)
                ) WITHOUT ROWID;
                CREATE INDEX registration_bySource ON registration(sourceId);

                CREATE TABLE careEpisode (
                    id TEXT PRIMARY KEY NOT NULL,
                    nhsNumber TEXT NOT NULL,
                    sourceId TEXT NOT NULL,
                    ods TEXT NOT NULL,
                    status TEXT NOT NULL,
                    periodStart DATETIME,
                    periodEnd DATETIME
                ) WITHOUT ROWID;
                CREATE INDEX careEpisode_byPatient ON careEpisode(nhsNumber, ods);
                CREATE INDEX careEpisode_bySource ON careEpisode(sourceId);

                CREATE TABLE sharingDecision (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    nhsNumber TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    recordedAt DATETIME NOT NULL,
                    recordedByOds TEXT NOT NULL,
                    sourceId TEXT,
                    recordedBySub TEXT,
                    actorSub TEXT,
                    periodStart DATETIME,
                    periodEnd DATETIME,
                    lastUpdated DATETIME NOT NULL,
                    versionId TEXT NOT NULL,
                    resource BLOB NOT NULL
                );
                CREATE INDEX sharingDecision_byPatient ON sharingDecision(nhsNumber, recordedAt);
                CREATE INDEX sharingDecision_bySource ON sharingDecision(sourceId);
                CREATE INDEX sharingDecision_byKind ON sharingDecision(kind, nhsNumber);

                CREATE TABLE clinicalEntry (
                    id TEXT PRIMARY KEY NOT NULL,
                    resourceType TEXT NOT NULL,
                    nhsNumber TEXT NOT NULL,
                    sourceId TEXT NOT NULL,
                    lastUpdated DATETIME NOT NULL,
                    versionId TEXT NOT NULL,
                    resource BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX clinicalEntry_byPatient ON clinicalEntry(nhsNumber, resourceType, id);
                CREATE INDEX clinicalEntry_bySource ON clinicalEntry(sourceId);
                """)
        }
        migrator.registerMigration("v2-source-is-gp-practice") { db in
            // Registration counts only from a GP practice's own export (C3); sources say what they are when next registered.
            try db.execute(sql: "ALTER TABLE source ADD COLUMN isGPPractice BOOLEAN NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v3-copy-api-decisions") { db in
            // API decisions move to their own file; copied first and removed in a later migration, so a crash between the two
            // files' commits loses nothing.
            try db.execute(sql: """
                INSERT OR IGNORE INTO decisions.apiDecision
                    (id, nhsNumber, kind, recordedAt, recordedByOds, recordedBySub, actorSub, periodStart, periodEnd, lastUpdated, versionId, resource)
                SELECT id, nhsNumber, kind, recordedAt, recordedByOds, recordedBySub, actorSub, periodStart, periodEnd, lastUpdated, versionId, resource
                FROM sharingDecision WHERE sourceId IS NULL ORDER BY sequence
                """)
        }
        migrator.registerMigration("v4-drop-copied-api-decisions") { db in
            try db.execute(sql: "DELETE FROM sharingDecision WHERE sourceId IS NULL AND id IN (SELECT id FROM decisions.apiDecision)")
        }
        migrator.registerMigration("v5-clinical-entries-in-arrival-order") { db in
            // Clinical entries keyed by their digest id (WITHOUT ROWID) landed at random places in the table: a refresh
            // rewrote pages all over a table larger than its cache, and rows of ~900 bytes spilled to overflow pages (the
            // table took 185 MB for 93 MB of NDJSON; issue 12). A rowid table appends them in arrival order, a source's rows
            // together; the id stays unique through its own small index.
            try db.execute(sql: """
                CREATE TABLE clinicalEntry_v5 (
                    id TEXT NOT NULL UNIQUE,
                    resourceType TEXT NOT NULL,
                    nhsNumber TEXT NOT NULL,
                    sourceId TEXT NOT NULL,
                    lastUpdated DATETIME NOT NULL,
                    versionId TEXT NOT NULL,
                    resource BLOB NOT NULL
                );
                INSERT INTO clinicalEntry_v5 (id, resourceType, nhsNumber, sourceId, lastUpdated, versionId, resource)
                    SELECT id, resourceType, nhsNumber, sourceId, lastUpdated, versionId, resource FROM clinicalEntry ORDER BY sourceId, id;
                DROP TABLE clinicalEntry;
                ALTER TABLE clinicalEntry_v5 RENAME TO clinicalEntry;
                CREATE INDEX clinicalEntry_byPatient ON clinicalEntry(nhsNumber, resourceType, id);
                CREATE INDEX clinicalEntry_bySource ON clinicalEntry(sourceId);
                """)
        }
        migrator.registerMigration("v6-clinical-entry-ids-by-source") { db in
            // An import reads its source's entry ids to delete those its export no longer holds: the index by source holds
            // them, so that read stays in the index instead of visiting every row of the table (issue 12).
            try db.execute(sql: """
                DROP INDEX clinicalEntry_bySource;
                CREATE INDEX clinicalEntry_bySource ON clinicalEntry(sourceId, id);
                """)
        }
        return migrator
    }

    /// Named migrations of the decisions file.
    static var decisionsMigrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-api-decisions") { db in
            try db.execute(sql: """
                CREATE TABLE apiDecision (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    nhsNumber TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    recordedAt DATETIME NOT NULL,
                    recordedByOds TEXT NOT NULL,
                    recordedBySub TEXT,
                    actorSub TEXT,
                    periodStart DATETIME,
                    periodEnd DATETIME,
                    lastUpdated DATETIME NOT NULL,
                    versionId TEXT NOT NULL,
                    resource BLOB NOT NULL
                );
                CREATE INDEX apiDecision_byPatient ON apiDecision(nhsNumber, recordedAt);
                CREATE INDEX apiDecision_byKind ON apiDecision(kind, nhsNumber);
                """)
        }
        return migrator
    }
}
