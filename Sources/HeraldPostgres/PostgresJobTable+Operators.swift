import HeraldCore
import HeraldJobs

/// What operators (`herald queue|dead`) read and change in the database (design §8).
extension PostgresJobTable {
    /// One job as the commands show it.
    package struct Listed: Sendable {
        package var job: Job
        package var running: Bool
        package var diedAt: WallClock?
        package var reason: String?
        package var lastAnswer: String?
        /// Earlier jobs of its ordering group (same action and recipient) whose first attempt it
        /// waits for, as `claim` holds it back; 0 when it waits for nothing but its time.
        package var ahead: Int
    }

    /// Queued (and running) jobs, or dead letters, oldest first, with the count of all matches.
    /// `filter`'s route, action, since and older-than (created, or died, within or before that
    /// long) narrow them, and its person: the payload, reason or last answer holds one of the
    /// subject's needles (lower-case, as `DataSubject` searches).
    package func list(dead: Bool, limit: Int, filter jobFilter: JobFilter) throws(PostgresError) -> (
        total: Int, items: [Listed]
    ) {
        let time = dead ? "died_at" : "created_at"
        let needles = jobFilter.subject?.needles.map { String(decoding: $0, as: UTF8.self) } ?? []
        let stored = "lower(payload || coalesce(reason, '') || coalesce(last_answer, ''))"
        let filter = """
            WHERE \(dead ? "state = 'dead'" : "state IN ('queued', 'running')")
              AND ($1::text IS NULL OR route = $1) AND ($2::text IS NULL OR action = $2)
              AND ($3::bigint IS NULL OR \(time) > now() - $3::bigint * interval '1 millisecond')
              AND ($4::bigint IS NULL OR \(time) <= now() - $4::bigint * interval '1 millisecond')
              AND ($5::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($5::text[]) AS n WHERE strpos(\(stored), n) > 0))
            """
        let parameters = [
            jobFilter.route, jobFilter.action, jobFilter.since.map { String($0.saturatingMilliseconds) },
            jobFilter.olderThan.map { String($0.saturatingMilliseconds) },
            jobFilter.subject == nil ? nil : Self.textArray(needles),
        ]
        // The page walks the (created_at, id) or (died_at) index and stops at the limit; the
        // total is a separate count, not a window over every row sorted.
        let rows = try connection.query(
            """
            SELECT \(Self.columns) FROM herald_jobs j \(filter)
            ORDER BY \(time), id
            LIMIT CASE WHEN $6::integer > 0 THEN $6::integer END
            """, parameters + [String(limit)])
        let counted = try connection.query("SELECT count(*) AS total FROM herald_jobs j \(filter)", parameters)
        let total = counted.value(0, "total").flatMap(Int.init) ?? 0
        return (total, (0..<rows.rows.count).compactMap { Self.listed(rows, $0) })
    }

    /// One job by id, in either section.
    package func find(_ id: TimeOrderedID) throws(PostgresError) -> Listed? {
        let rows = try connection.query("SELECT \(Self.columns) FROM herald_jobs j WHERE id = $1", [id.description])
        return rows.isEmpty ? nil : Self.listed(rows, 0)
    }

    /// An operator's retry: a queued job runs now; a dead letter goes back to the queue as a new
    /// series of attempts (`max_age` counts from now). A dead letter's attempt count stays, so
    /// that it does not queue again ahead of its recipient's newer mail. Returns its new attempt
    /// time (the database's now); nil when it is running or gone.
    package func retry(_ id: TimeOrderedID) throws(PostgresError) -> WallClock? {
        let rows = try connection.query(
            """
            UPDATE herald_jobs SET not_before = now(),
                series_start = CASE WHEN state = 'dead' THEN now() ELSE series_start END,
                reason = CASE WHEN state = 'dead' THEN NULL ELSE reason END, died_at = NULL, state = 'queued'
            WHERE id = $1 AND state IN ('queued', 'dead')
            RETURNING (extract(epoch FROM not_before) * 1000)::bigint AS not_before_ms
            """, [id.description])
        let time = rows.value(0, "not_before_ms").flatMap(Int64.init).map { WallClock(millisecondsSinceEpoch: $0) }
        if time != nil { try connection.execute("NOTIFY herald_jobs") }
        return time
    }

    /// How many connections `herald serve` instances hold to this database: each holds one for
    /// as long as it runs (to be woken), so 0 means no instance performs what the commands change.
    package func serveConnections() throws(PostgresError) -> Int {
        let rows = try connection.query(
            """
            SELECT count(*) AS connections FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1
            """, [PostgresConnection.serveApplicationName])
        return rows.value(0, "connections").flatMap(Int.init) ?? 0
    }

    /// Removes a job or dead letter for good; an attempt under way finishes, unrecorded.
    /// Returns the state it was in; nil when there was no such job.
    package func remove(_ id: TimeOrderedID) throws(PostgresError) -> JobState? {
        try connection.query("DELETE FROM herald_jobs WHERE id = $1 RETURNING state", [id.description])
            .value(0, "state").flatMap(JobState.init(rawName:))
    }

    /// A PostgreSQL array literal of `items` (each quoted, `\\` and `"` escaped).
    static func textArray(_ items: [String]) -> String {
        var text = "{"
        for (index, item) in items.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            for character in item {
                if character == "\\" || character == "\"" { text += "\\" }
                text.append(character)
            }
            text += "\""
        }
        return text + "}"
    }

    private static let columns = """
        id, event_id, event, route, action, ordering_key, payload, attempts, state, reason, last_answer,
        trace, trace_state,
        (extract(epoch FROM created_at) * 1000)::bigint AS created_ms,
        (extract(epoch FROM due_at) * 1000)::bigint AS due_ms,
        (extract(epoch FROM not_before) * 1000)::bigint AS not_before_ms,
        (extract(epoch FROM died_at) * 1000)::bigint AS died_ms,
        CASE WHEN j.state = 'queued' AND j.attempts = 0 AND j.ordering_key IS NOT NULL THEN (
            SELECT count(*) FROM herald_jobs e
            WHERE e.action = j.action AND e.ordering_key = j.ordering_key AND e.attempts = 0
              AND e.state IN ('queued', 'running') AND e.id < j.id) ELSE 0 END AS ahead
        """

    private static func listed(_ rows: PostgresRows, _ row: Int) -> Listed? {
        guard let job = job(rows, row) else { return nil }
        return Listed(
            job: job, running: rows.value(row, "state") == "running",
            diedAt: rows.value(row, "died_ms").flatMap(Int64.init).map { WallClock(millisecondsSinceEpoch: $0) },
            reason: rows.value(row, "reason"), lastAnswer: rows.value(row, "last_answer"),
            ahead: rows.value(row, "ahead").flatMap(Int.init) ?? 0)
    }
}
