extension PostgresCareRecordRepository {
    /// Named and recorded in `schema_migration` beside the audit log's; never edit one that has shipped, add a new one,
    /// additive first so that a node of the previous version keeps working during a rolling upgrade (README, "Several nodes").
    /// Identifiers are unquoted (PostgreSQL folds them to lower case) so the SQL reads as the SQLite record's; keys sort
    /// byte-wise (`COLLATE "C"`) whatever the database's locale, so pages come out in the same order on both backends.
    static let migrations = [
        PostgresMigration("record-v1-combined-record", [
            "CREATE TABLE source (id text COLLATE \"C\" PRIMARY KEY, ods text NOT NULL, isGPPractice boolean NOT NULL DEFAULT false)",
            """
            CREATE TABLE importRun (
                id bigserial PRIMARY KEY, sourceId text COLLATE "C" NOT NULL REFERENCES source (id), succeeded boolean NOT NULL, report text NOT NULL
            )
            """,
            "CREATE INDEX importRun_bySource ON importRun (sourceId, succeeded, id)",
            """
            CREATE TABLE patientRecord (
                nhsNumber text COLLATE "C" NOT NULL, sourceId text COLLATE "C" NOT NULL, upstreamId text NOT NULL,
                lastUpdated timestamptz NOT NULL, versionId text NOT NULL, resource bytea NOT NULL,
                PRIMARY KEY (nhsNumber, sourceId)
            )
            """,
            "CREATE INDEX patientRecord_bySource ON patientRecord (sourceId)",
            """
            CREATE TABLE registration (
                nhsNumber text COLLATE "C" NOT NULL, sourceId text COLLATE "C" NOT NULL, sourceOds text NOT NULL, practiceOds text NOT NULL,
                lastUpdated timestamptz NOT NULL,
                PRIMARY KEY (nhsNumber, sourceId)
            )
            """,
            "CREATE INDEX registration_bySource ON registration (sourceId)",
            """
            CREATE TABLE careEpisode (
                id text COLLATE "C" PRIMARY KEY, nhsNumber text COLLATE "C" NOT NULL, sourceId text COLLATE "C" NOT NULL,
                ods text COLLATE "C" NOT NULL, status text NOT NULL, periodStart timestamptz, periodEnd timestamptz
            )
            """,
            "CREATE INDEX careEpisode_byPatient ON careEpisode (nhsNumber, ods)",
            "CREATE INDEX careEpisode_bySource ON careEpisode (sourceId)",
            """
            CREATE TABLE sharingDecision (
                sequence bigserial PRIMARY KEY, id text COLLATE "C" NOT NULL UNIQUE, nhsNumber text COLLATE "C" NOT NULL, kind text NOT NULL,
                recordedAt timestamptz NOT NULL, recordedByOds text NOT NULL, sourceId text COLLATE "C", recordedBySub text, actorSub text,
                periodStart timestamptz, periodEnd timestamptz, lastUpdated timestamptz NOT NULL, versionId text NOT NULL, resource bytea NOT NULL
            )
            """,
            "CREATE INDEX sharingDecision_byPatient ON sharingDecision (nhsNumber, recordedAt)",
            "CREATE INDEX sharingDecision_bySource ON sharingDecision (sourceId)",
            "CREATE INDEX sharingDecision_byKind ON sharingDecision (kind, nhsNumber)",
            """
            CREATE TABLE clinicalEntry (
                id text COLLATE "C" PRIMARY KEY, resourceType text COLLATE "C" NOT NULL, nhsNumber text COLLATE "C" NOT NULL,
                sourceId text COLLATE "C" NOT NULL, lastUpdated timestamptz NOT NULL, versionId text NOT NULL, resource bytea NOT NULL
            )
            """,
            "CREATE INDEX clinicalEntry_byPatient ON clinicalEntry (nhsNumber, resourceType, id)",
            "CREATE INDEX clinicalEntry_bySource ON clinicalEntry (sourceId)",
        ]),
    ]
}
