import HeraldCore
import HeraldJobs

/// Herald's jobs in PostgreSQL, as statements: what the ingress stores, what instances claim
/// under a lease and record verdicts of (fenced by the lease's token), and what operators read
/// and change. Time is the database's (`now()`), never a host's. Every method is one round of
/// statements on `connection`, which the caller confines to one thread. `PostgresStore` uses it.
package struct PostgresJobTable {
    package let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    // MARK: Ingress

    /// One event's jobs and dedupe keys, as the ingress planned them.
    package struct Event: Sendable {
        package var jobs: [Job]
        /// The event's own key (trigger id or digest) and how long it counts.
        package var key: (key: String, window: Duration)?
        /// Route-level `dedupe:` keys: the route's jobs are dropped when its key is taken.
        package var routeKeys: [(route: String, key: String, window: Duration)]

        package init(
            jobs: [Job], key: (key: String, window: Duration)?,
            routeKeys: [(route: String, key: String, window: Duration)]
        ) {
            self.jobs = jobs
            self.key = key
            self.routeKeys = routeKeys
        }
    }

    /// What storing an event came to.
    package struct Receipt: Sendable, Equatable {
        /// The event's key was taken (by this or another instance) within its window.
        package var duplicate = false
        /// Routes whose dedupe key was taken: their jobs were not stored.
        package var suppressedRoutes: Set<String> = []
    }

    /// Stores many events in one transaction (one commit, one fsync on the server), and wakes
    /// the instances waiting for work. All or nothing: an error means none was stored.
    package func store(_ events: [Event]) throws(PostgresError) -> [Receipt] {
        try connection.execute("BEGIN")
        do throws(PostgresError) {
            var receipts: [Receipt] = []
            var stored = 0
            for event in events {
                var receipt = Receipt()
                if let key = event.key, try !claim(key.key, window: key.window) {
                    receipt.duplicate = true
                    receipts.append(receipt)
                    continue
                }
                for routeKey in event.routeKeys where try !claim(routeKey.key, window: routeKey.window) {
                    receipt.suppressedRoutes.insert(routeKey.route)
                }
                let jobs = event.jobs.filter { !receipt.suppressedRoutes.contains($0.route) }
                try insert(jobs)
                stored += jobs.count
                receipts.append(receipt)
            }
            if stored > 0 { try connection.execute("NOTIFY herald_jobs") }
            try connection.execute("COMMIT")
            return receipts
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// What `herald_dedupe` keeps of `key`: its SHA-256 (hex). A route's `dedupe:` key is rendered
    /// from the event (the shipped new-device alert's holds the identity id and the user agent);
    /// the table keeps no personal data, as the spool keeps only a digest.
    package static func storedDedupeKey(_ key: String) -> String { SHA256.hexDigest(key) }

    /// Takes `key` for `window` unless it is taken and not expired; true when taken now.
    private func claim(_ key: String, window: Duration) throws(PostgresError) -> Bool {
        let rows = try connection.query(
            """
            INSERT INTO herald_dedupe (key, expires_at) VALUES ($1, now() + $2::bigint * interval '1 millisecond')
            ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE herald_dedupe.expires_at < now()
            RETURNING key
            """, [Self.storedDedupeKey(key), String(window.saturatingMilliseconds)])
        return !rows.isEmpty
    }

    /// One INSERT for all of an event's jobs. Due times count from the database's clock.
    private func insert(_ jobs: [Job]) throws(PostgresError) {
        guard !jobs.isEmpty else { return }
        var values: [String] = []
        var parameters: [String?] = []
        for job in jobs {
            let base = parameters.count
            let delay = max(Int64(0), (job.notBefore - job.createdAt).saturatingMilliseconds)
            parameters += [
                job.id.description, job.eventID.description, job.eventName.rawValue, job.route, job.action,
                job.orderingKey, String(decoding: job.payload.serialized(), as: UTF8.self), String(delay),
                job.trace?.traceparent, job.trace?.state,
            ]
            let p = (1...10).map { "$\(base + $0)" }
            values.append(
                "(\(p[0]), \(p[1]), \(p[2]), \(p[3]), \(p[4]), \(p[5]), \(p[6]), now(), "
                    + "now() + \(p[7])::bigint * interval '1 millisecond', "
                    + "now() + \(p[7])::bigint * interval '1 millisecond', "
                    + "now() + \(p[7])::bigint * interval '1 millisecond', 0, 'queued', \(p[8]), \(p[9]))")
        }
        try connection.query(
            """
            INSERT INTO herald_jobs (id, event_id, event, route, action, ordering_key, payload, created_at, due_at,
                series_start, not_before, attempts, state, trace, trace_state)
            VALUES \(values.joined(separator: ", "))
            """, parameters)
    }

    // MARK: Rows

    /// `{a,b}` as a PostgreSQL array literal, every element quoted (nil: NULL).
    static func array(_ items: [String?]) -> String {
        "{"
            + items.map { item in
                item.map { "\"" + $0.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"") + "\"" } ?? "NULL"
            }.joined(separator: ",")
            + "}"
    }

    static func array(_ items: [String]) -> String { array(items.map { Optional($0) }) }

    static func job(_ rows: PostgresRows, _ row: Int) -> Job? {
        guard let id = rows.value(row, "id").flatMap(TimeOrderedID.init),
            let eventID = rows.value(row, "event_id").flatMap(TimeOrderedID.init),
            let event = rows.value(row, "event").flatMap(EventName.init),
            let route = rows.value(row, "route"), let action = rows.value(row, "action"),
            let payloadText = rows.value(row, "payload"),
            let payload = try? JSONDocument(parsing: Array(payloadText.utf8)).root.json,
            let created = rows.value(row, "created_ms").flatMap(Int64.init),
            let due = rows.value(row, "due_ms").flatMap(Int64.init),
            let notBefore = rows.value(row, "not_before_ms").flatMap(Int64.init)
        else { return nil }
        return Job(
            id: id, eventID: eventID, eventName: event, route: route, action: action, payload: payload,
            orderingKey: rows.value(row, "ordering_key"), createdAt: WallClock(millisecondsSinceEpoch: created),
            notBefore: WallClock(millisecondsSinceEpoch: notBefore),
            attempts: rows.value(row, "attempts").flatMap(Int.init) ?? 0, dueAt: WallClock(millisecondsSinceEpoch: due),
            trace: rows.value(row, "trace").flatMap { traceparent in
                TraceContext(traceparent: traceparent, tracestate: rows.value(row, "trace_state").map { [$0] } ?? [])
            })
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
