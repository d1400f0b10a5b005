import HeraldCore

/// Herald's jobs in PostgreSQL: what the ingress stores, what instances claim under a lease and
/// record outcomes of (fenced by the lease's token), and what `herald queue|dead` read and change.
/// Time is the database's (`now()`), never a host's. Every method is one round of statements on
/// `connection`, which the caller confines to one thread.
package struct PostgresJobStore {
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

    /// Takes `key` for `window` unless it is taken and not expired; true when taken now.
    private func claim(_ key: String, window: Duration) throws(PostgresError) -> Bool {
        let rows = try connection.query(
            """
            INSERT INTO herald_dedupe (key, expires_at) VALUES ($1, now() + $2::bigint * interval '1 millisecond')
            ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE herald_dedupe.expires_at < now()
            RETURNING key
            """, [key, String(window.saturatingMilliseconds)])
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
            ]
            let p = (1...8).map { "$\(base + $0)" }
            values.append(
                "(\(p[0]), \(p[1]), \(p[2]), \(p[3]), \(p[4]), \(p[5]), \(p[6]), now(), "
                    + "now() + \(p[7])::bigint * interval '1 millisecond', "
                    + "now() + \(p[7])::bigint * interval '1 millisecond', "
                    + "now() + \(p[7])::bigint * interval '1 millisecond', 0, 'queued')")
        }
        try connection.query(
            """
            INSERT INTO herald_jobs (id, event_id, event, route, action, ordering_key, payload, created_at, due_at,
                series_start, not_before, attempts, state)
            VALUES \(values.joined(separator: ", "))
            """, parameters)
    }

    // MARK: Delivery

    /// A job this instance holds under a lease; outcomes are recorded only with its token.
    package struct Claim: Sendable {
        package var job: Job
        package var token: String
        /// The previous attempt may have reached the peer: it ended ambiguously, or the instance
        /// running it stopped answering and its lease ended.
        package var mayHaveSent = false
    }

    /// Claims up to `limit` due jobs of `actions` (and such jobs whose lease ended, from an
    /// instance that stopped answering) for `owner`, skipping rows another instance is claiming
    /// right now. The first attempts of one action's jobs to one recipient run in the order they
    /// were planned, across instances. A row that cannot be read back becomes a dead letter.
    package func claim(limit: Int, owner: String, lease: Duration, actions: [String]) throws(PostgresError)
        -> [Claim]
    {
        guard limit > 0, !actions.isEmpty else { return [] }
        let rows = try connection.query(
            """
            WITH ready AS (
                SELECT j.id, j.state AS previous_state FROM herald_jobs j
                WHERE j.not_before <= now()
                  AND (j.state = 'queued' OR (j.state = 'running' AND j.lease_until < now()))
                  AND j.action = ANY($2::text[])
                  AND (j.ordering_key IS NULL OR j.attempts > 0 OR NOT EXISTS (
                      SELECT 1 FROM herald_jobs e
                      WHERE e.action = j.action AND e.ordering_key = j.ordering_key AND e.attempts = 0
                        AND e.state IN ('queued', 'running') AND e.id < j.id))
                ORDER BY j.not_before, j.id
                LIMIT $1::integer
                FOR UPDATE SKIP LOCKED
            )
            UPDATE herald_jobs j
            SET state = 'running', lease_owner = $3, lease_token = nextval('herald_lease_tokens'),
                lease_until = now() + $4::bigint * interval '1 millisecond'
            FROM ready WHERE j.id = ready.id
            RETURNING j.id, j.event_id, j.event, j.route, j.action, j.ordering_key, j.payload, j.attempts,
                j.lease_token::text AS token,
                (extract(epoch FROM j.created_at) * 1000)::bigint AS created_ms,
                (extract(epoch FROM j.due_at) * 1000)::bigint AS due_ms,
                (extract(epoch FROM j.not_before) * 1000)::bigint AS not_before_ms,
                (j.may_have_sent OR ready.previous_state = 'running') AS may_have_sent
            """,
            [String(limit), Self.array(actions), owner, String(lease.saturatingMilliseconds)])
        var claims: [Claim] = []
        var unreadable: [String] = []
        for row in 0..<rows.rows.count {
            if let job = Self.job(rows, row), let token = rows.value(row, "token") {
                claims.append(Claim(job: job, token: token, mayHaveSent: rows.value(row, "may_have_sent") == "t"))
            } else if let id = rows.value(row, "id") {
                unreadable.append(id)
            }
        }
        if !unreadable.isEmpty {
            // Held forever otherwise, renewed with the others and blocking its recipient's line.
            try connection.query(
                """
                UPDATE herald_jobs SET state = 'dead', died_at = now(), reason = 'the stored job cannot be read',
                    lease_owner = NULL, lease_token = NULL, lease_until = NULL
                WHERE id = ANY($1::text[])
                """, [Self.array(unreadable)])
        }
        return claims
    }

    /// Extends the leases of every job `owner` is attempting; returns how many.
    @discardableResult
    package func renew(owner: String, lease: Duration) throws(PostgresError) -> Int {
        try connection.query(
            """
            UPDATE herald_jobs SET lease_until = now() + $2::bigint * interval '1 millisecond'
            WHERE lease_owner = $1 AND state = 'running'
            """, [owner, String(lease.saturatingMilliseconds)]
        ).affected
    }

    /// The job was delivered: it is removed. False when the lease was lost (another instance
    /// took the job over, or an operator dropped it): nothing is changed then.
    package func delivered(_ claim: Claim) throws(PostgresError) -> Bool {
        try connection.query(
            "DELETE FROM herald_jobs WHERE id = $1 AND lease_token = $2::bigint AND state = 'running'",
            [claim.job.id.description, claim.token]
        ).affected == 1
    }

    /// The job failed for good: a dead letter with its reason. False when the lease was lost.
    package func failed(_ claim: Claim, reason: String) throws(PostgresError) -> Bool {
        try connection.query(
            """
            UPDATE herald_jobs SET state = 'dead', attempts = attempts + 1, died_at = now(), reason = $3,
                last_answer = $3, lease_owner = NULL, lease_token = NULL, lease_until = NULL
            WHERE id = $1 AND lease_token = $2::bigint AND state = 'running'
            """, [claim.job.id.description, claim.token, reason]
        ).affected == 1
    }

    /// What a retry came to.
    package enum RetryResult: Sendable, Equatable {
        /// Queued again, due in this long.
        case queued(in: Duration)
        /// Past `max_age` counted from the series start: a dead letter.
        case expired
        /// The lease was lost; nothing was changed.
        case leaseLost
    }

    /// The attempt may succeed later: due again after `delay`, unless that is more than `maxAge`
    /// after the retry series started (the job's due time, or an operator's retry).
    package func retry(
        _ claim: Claim, after delay: Duration, maxAge: Duration, reason: String, gaveUp: String,
        mayHaveSent: Bool = false
    ) throws(PostgresError) -> RetryResult {
        let rows = try connection.query(
            """
            UPDATE herald_jobs SET attempts = attempts + 1, lease_owner = NULL, lease_token = NULL, lease_until = NULL,
                not_before = now() + $3::bigint * interval '1 millisecond',
                state = CASE WHEN now() + $3::bigint * interval '1 millisecond' - series_start
                    > $4::bigint * interval '1 millisecond' THEN 'dead' ELSE 'queued' END,
                died_at = CASE WHEN now() + $3::bigint * interval '1 millisecond' - series_start
                    > $4::bigint * interval '1 millisecond' THEN now() END,
                reason = CASE WHEN now() + $3::bigint * interval '1 millisecond' - series_start
                    > $4::bigint * interval '1 millisecond' THEN $6 ELSE $5 END,
                last_answer = $5, may_have_sent = $7::boolean
            WHERE id = $1 AND lease_token = $2::bigint AND state = 'running'
            RETURNING state
            """,
            [
                claim.job.id.description, claim.token, String(delay.saturatingMilliseconds),
                String(maxAge.saturatingMilliseconds), reason, gaveUp, mayHaveSent ? "true" : "false",
            ])
        guard let state = rows.value(0, "state") else { return .leaseLost }
        return state == "dead" ? .expired : .queued(in: delay)
    }

    /// How long until a queued job is due or a running job's lease ends (nil: nothing waits).
    package func nextWake() throws(PostgresError) -> Duration? {
        let rows = try connection.query(
            """
            SELECT (extract(epoch FROM (least(
                (SELECT min(not_before) FROM herald_jobs WHERE state = 'queued'),
                (SELECT min(lease_until) FROM herald_jobs WHERE state = 'running')) - now())) * 1000)::bigint AS wait_ms
            """)
        return rows.value(0, "wait_ms").flatMap(Int64.init).map { .milliseconds(max(0, $0)) }
    }

    /// Forgets expired dedupe keys; returns how many.
    @discardableResult
    package func prune() throws(PostgresError) -> Int {
        try connection.query("DELETE FROM herald_dedupe WHERE expires_at < now()").affected
    }

    /// Jobs waiting or running, and the age of the oldest.
    package func statistics() throws(PostgresError) -> (depth: Int, oldest: Duration?) {
        let rows = try connection.query(
            """
            SELECT count(*) AS depth, (extract(epoch FROM (now() - min(created_at))) * 1000)::bigint AS oldest_ms
            FROM herald_jobs WHERE state IN ('queued', 'running')
            """)
        let depth = rows.value(0, "depth").flatMap(Int.init) ?? 0
        return (depth, rows.value(0, "oldest_ms").flatMap(Int64.init).map { .milliseconds($0) })
    }

    // MARK: Rows

    /// `{a,b}` as a PostgreSQL text array literal, every element quoted.
    static func array(_ items: [String]) -> String {
        "{"
            + items.map { "\"" + $0.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"") + "\"" }.joined(
                separator: ",")
            + "}"
    }

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
            attempts: rows.value(row, "attempts").flatMap(Int.init) ?? 0, dueAt: WallClock(millisecondsSinceEpoch: due))
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
