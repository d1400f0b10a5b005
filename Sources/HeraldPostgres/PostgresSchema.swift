/// Herald's tables in PostgreSQL, versioned: `herald store migrate` applies the migrations a
/// database lacks, each in its own transaction, under an advisory lock so that two hosts running
/// it at once apply each migration once. `herald serve` refuses a schema it does not know.
package enum PostgresSchema {
    /// The version this Herald writes and reads.
    package static var current: Int { migrations.count }

    /// Migration n (1-based) is `migrations[n - 1]`. Never edit one that shipped: add another.
    static let migrations: [String] = [
        """
        CREATE TABLE herald_jobs (
            id text PRIMARY KEY,
            event_id text NOT NULL,
            event text NOT NULL,
            route text NOT NULL,
            action text NOT NULL,
            ordering_key text,
            payload text NOT NULL,
            created_at timestamptz NOT NULL,
            due_at timestamptz NOT NULL,
            series_start timestamptz NOT NULL,
            not_before timestamptz NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            state text NOT NULL CHECK (state IN ('queued', 'running', 'dead')),
            lease_owner text,
            lease_token bigint,
            lease_until timestamptz,
            died_at timestamptz,
            reason text,
            last_answer text
        );
        CREATE INDEX herald_jobs_due ON herald_jobs (not_before, id) WHERE state IN ('queued', 'running');
        CREATE INDEX herald_jobs_order ON herald_jobs (action, ordering_key, id)
            WHERE attempts = 0 AND state IN ('queued', 'running') AND ordering_key IS NOT NULL;
        CREATE INDEX herald_jobs_dead ON herald_jobs (died_at) WHERE state = 'dead';
        CREATE INDEX herald_jobs_lease ON herald_jobs (lease_owner) WHERE state = 'running';
        CREATE SEQUENCE herald_lease_tokens;
        CREATE TABLE herald_dedupe (
            key text PRIMARY KEY,
            expires_at timestamptz NOT NULL
        );
        CREATE INDEX herald_dedupe_expiry ON herald_dedupe (expires_at);
        """,
        // 2: whether a job's last attempt may have reached the peer (it ended ambiguously), so that
        // the next attempt can ask first (Mandrill's messages/search).
        """
        ALTER TABLE herald_jobs ADD COLUMN may_have_sent boolean NOT NULL DEFAULT false;
        """,
        // 3: `herald queue list` pages the backlog by creation time without sorting all of it.
        """
        CREATE INDEX herald_jobs_created ON herald_jobs (created_at, id) WHERE state IN ('queued', 'running');
        """,
        // 4: the event's W3C trace, naming the ingress span (`traceparent` form), and its
        // `tracestate`; NULL for jobs stored before (their attempts start a trace of their own).
        """
        ALTER TABLE herald_jobs ADD COLUMN trace text, ADD COLUMN trace_state text;
        """,
    ]

    /// A stable key for `pg_advisory_lock` (the bytes of "herald-m").
    static let migrationLock = "4739068416297725293"

    /// Applies the missing migrations; returns the versions it applied (empty when up to date).
    /// - Throws: `PostgresError`; `.schema` when the database is newer than this Herald.
    package static func migrate(_ connection: PostgresConnection) throws(PostgresError) -> [Int] {
        try connection.query("SELECT pg_advisory_lock($1::bigint)", [migrationLock])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1::bigint)", [migrationLock]) }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS herald_schema_version (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let found = try version(connection) ?? 0
        guard found <= current else {
            throw PostgresError(
                .schema, "the database has Herald schema version \(found), newer than this Herald's \(current)")
        }
        var applied: [Int] = []
        for version in (found + 1)...max(found + 1, current) where version <= current {
            try connection.execute("BEGIN")
            do throws(PostgresError) {
                try connection.execute(migrations[version - 1])
                try connection.query(
                    "INSERT INTO herald_schema_version (version) VALUES ($1::integer)", [String(version)])
                try connection.execute("COMMIT")
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
            applied.append(version)
        }
        return applied
    }

    /// The applied version; nil when Herald's tables were never created.
    package static func version(_ connection: PostgresConnection) throws(PostgresError) -> Int? {
        let exists = try connection.query("SELECT to_regclass('herald_schema_version') IS NOT NULL AS present")
        guard exists.value(0, "present") == "t" else { return nil }
        let rows = try connection.query("SELECT coalesce(max(version), 0) AS version FROM herald_schema_version")
        return rows.value(0, "version").flatMap { Int($0) }
    }

    /// Throws unless the database holds exactly this Herald's schema, saying what to run.
    package static func check(_ connection: PostgresConnection) throws(PostgresError) {
        let found = try version(connection) ?? 0
        if found == current { return }
        if found < current {
            throw PostgresError(
                .schema,
                "the database has Herald schema version \(found) and this Herald needs \(current); run: herald store migrate --config FILE"
            )
        }
        throw PostgresError(
            .schema,
            "the database has Herald schema version \(found), newer than this Herald's \(current); upgrade Herald")
    }
}
