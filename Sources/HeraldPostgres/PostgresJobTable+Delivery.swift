import HeraldCore
import HeraldJobs

/// Claims under a lease, renewals, verdicts fenced by the lease's token, and upkeep.
extension PostgresJobTable {
    /// A job this instance holds under a lease; verdicts are recorded only with its token.
    package struct Claim: Sendable {
        package var job: Job
        package var token: UInt64
        /// The previous attempt may have reached the peer: it ended ambiguously, or the instance
        /// running it stopped answering and its lease ended.
        package var mayHaveSent = false
        /// When the job's current series of attempts began (`max_age` counts from here).
        package var seriesStart: WallClock
        /// The database's time when the claim was made.
        package var claimedAt: WallClock
    }

    /// A place in the due order (`not_before`, then `id`): where the live jobs began as a claim
    /// saw them. A claim that starts its scan there does not walk the index entries that
    /// delivered jobs leave at the front of the due index until a vacuum (a drained backlog
    /// leaves thousands, and walking them was most of a claim's time).
    package struct DuePosition: Sendable, Equatable {
        /// The timestamp as the database writes it (exact to the microsecond).
        package var notBefore: String
        package var id: String
    }

    /// How far behind the database's now a position given back by a claim stays at most: a job
    /// stored later is due no earlier than its host's now, and hosts' clocks may differ a little.
    static let dueFloorMargin = "5 seconds"

    /// Claims up to `limit` due jobs of `actions` for each round (one for the actions limited
    /// only by the instance's slots, one per action with a limit of its own), `total` at most,
    /// in one transaction. Call it on a connection that commits synchronously (the store keeps
    /// one for claims): a claim must survive a database crash, or its job would come back as
    /// never attempted while its attempt may have sent.
    /// - Parameter total: the most jobs to claim over all rounds.
    /// - Parameters:
    ///   - from: where the last claim saw the live jobs begin (`DuePosition`); nil for a scan
    ///     from the start. Used for a claim of one round only.
    ///   - findHead: say where the live jobs begin now (a second walk of the index, worth it
    ///     only while claims take all they ask for).
    /// - Returns: the claims, and where the live jobs begin now (nil when not asked or none was
    ///   claimed).
    package func claim(
        total: Int, rounds: [(limit: Int, actions: [String])], owner: String, lease: Duration,
        from: DuePosition? = nil, findHead: Bool = true
    ) throws(PostgresError) -> (claims: [Claim], head: DuePosition?) {
        let rounds = rounds.filter { $0.limit > 0 && !$0.actions.isEmpty }
        guard total > 0, !rounds.isEmpty else { return ([], nil) }
        // One round is one statement: its own transaction, one round trip.
        if rounds.count == 1 {
            return try claim(
                limit: min(rounds[0].limit, total), owner: owner, lease: lease, actions: rounds[0].actions, from: from,
                findHead: findHead)
        }
        return (try claimRounds(total: total, rounds: rounds, owner: owner, lease: lease), nil)
    }

    private func claimRounds(
        total: Int, rounds: [(limit: Int, actions: [String])], owner: String, lease: Duration
    ) throws(PostgresError) -> [Claim] {
        try connection.execute("BEGIN")
        do throws(PostgresError) {
            var claims: [Claim] = []
            for round in rounds where claims.count < total {
                claims += try claim(
                    limit: min(round.limit, total - claims.count), owner: owner, lease: lease, actions: round.actions)
            }
            try connection.execute("COMMIT")
            return claims
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// Claims up to `limit` due jobs of `actions` (and such jobs whose lease ended, from an
    /// instance that stopped answering) for `owner`, skipping rows another instance is claiming
    /// right now. The first attempts of one action's jobs to one recipient run in the order they
    /// were planned, across instances. A row that cannot be read back becomes a dead letter.
    /// A job taken from a lease that ran out is marked maybe-sent in its row (its attempt may
    /// have sent), so the mark outlives this claim too, released or lost alike.
    package func claim(limit: Int, owner: String, lease: Duration, actions: [String]) throws(PostgresError)
        -> [Claim]
    {
        try claim(limit: limit, owner: owner, lease: lease, actions: actions, from: nil, findHead: false).claims
    }

    /// The claim itself; with `from`, its scan starts there; with `findHead`, it also says where
    /// the live jobs (queued or running, any action) begin at or after `from`, no later than
    /// `dueFloorMargin` before the database's now.
    private func claim(
        limit: Int, owner: String, lease: Duration, actions: [String], from: DuePosition?, findHead: Bool
    ) throws(PostgresError) -> (claims: [Claim], head: DuePosition?) {
        guard limit > 0, !actions.isEmpty else { return ([], nil) }
        var parameters: [String?] = [String(limit), Self.array(actions), owner, String(lease.saturatingMilliseconds)]
        var startAt = ""
        var headStartAt = ""
        if let from {
            parameters += [from.notBefore, from.id]
            startAt = "AND (j.not_before, j.id) >= ($5::timestamptz, $6::text)"
            headStartAt = "AND (h.not_before, h.id) >= ($5::timestamptz, $6::text)"
        }
        let head =
            findHead
            ? """
            head AS (
                SELECT h.not_before, h.id FROM herald_jobs h
                WHERE h.state IN ('queued', 'running') \(headStartAt)
                ORDER BY h.not_before, h.id LIMIT 1
            ), floor AS (
                SELECT CASE WHEN head.not_before <= now() - interval '\(Self.dueFloorMargin)'
                    THEN head.not_before::text ELSE (now() - interval '\(Self.dueFloorMargin)')::text END AS not_before,
                    CASE WHEN head.not_before <= now() - interval '\(Self.dueFloorMargin)' THEN head.id ELSE '' END AS id
                FROM head
            ),
            """ : ""
        let headColumns =
            findHead ? ", (SELECT not_before FROM floor) AS head_not_before, (SELECT id FROM floor) AS head_id" : ""
        let rows = try connection.query(
            """
            WITH \(head) ready AS (
                SELECT j.id FROM herald_jobs j
                WHERE j.not_before <= now() \(startAt)
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
            SET state = 'running', may_have_sent = (j.may_have_sent OR j.state = 'running'), lease_owner = $3,
                lease_token = nextval('herald_lease_tokens'), lease_until = now() + $4::bigint * interval '1 millisecond'
            FROM ready WHERE j.id = ready.id
            RETURNING j.id, j.event_id, j.event, j.route, j.action, j.ordering_key, j.payload, j.attempts,
                j.trace, j.trace_state,
                j.lease_token::text AS token,
                (extract(epoch FROM j.created_at) * 1000)::bigint AS created_ms,
                (extract(epoch FROM j.due_at) * 1000)::bigint AS due_ms,
                (extract(epoch FROM j.not_before) * 1000)::bigint AS not_before_ms,
                (extract(epoch FROM j.series_start) * 1000)::bigint AS series_ms,
                (extract(epoch FROM now()) * 1000)::bigint AS now_ms,
                j.may_have_sent \(headColumns)
            """,
            parameters)
        var claims: [Claim] = []
        var unreadable: [String] = []
        for row in 0..<rows.rows.count {
            if let job = Self.job(rows, row), let token = rows.value(row, "token").flatMap(UInt64.init),
                let series = rows.value(row, "series_ms").flatMap(Int64.init),
                let now = rows.value(row, "now_ms").flatMap(Int64.init)
            {
                claims.append(
                    Claim(
                        job: job, token: token, mayHaveSent: rows.value(row, "may_have_sent") == "t",
                        seriesStart: WallClock(millisecondsSinceEpoch: series),
                        claimedAt: WallClock(millisecondsSinceEpoch: now)))
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
        let headPosition = rows.value(0, "head_not_before").flatMap { notBefore in
            rows.value(0, "head_id").map { DuePosition(notBefore: notBefore, id: $0) }
        }
        return (claims, headPosition)
    }

    /// Gives back claims whose attempts never started (fenced by their tokens): queued again,
    /// as if never claimed; returns how many.
    @discardableResult
    package func release(_ claims: [(id: TimeOrderedID, token: UInt64)]) throws(PostgresError) -> Int {
        try connection.query(
            """
            UPDATE herald_jobs j SET state = 'queued', lease_owner = NULL, lease_token = NULL, lease_until = NULL
            FROM unnest($1::text[], $2::bigint[]) AS v(id, token)
            WHERE j.id = v.id AND j.lease_token = v.token AND j.state = 'running'
            """, [Self.array(claims.map(\.id.description)), Self.array(claims.map { String($0.token) })]
        ).affected
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

    /// One attempt's verdict to record: the job, the lease token that claimed it, the attempts
    /// of its series (this one included).
    package struct Verdict: Sendable {
        package var id: TimeOrderedID
        package var token: UInt64
        package var verdict: AttemptVerdict
        package var attempts: Int

        package init(id: TimeOrderedID, token: UInt64, verdict: AttemptVerdict, attempts: Int) {
            self.id = id
            self.token = token
            self.verdict = verdict
            self.attempts = attempts
        }
    }

    /// Records many verdicts in one statement (one commit for all), each only while its lease
    /// token still holds the job (a fenced update): delivered jobs are removed; retried ones are
    /// queued until their time; dead ones become dead letters. Returns what became of each, in
    /// order. The transaction commits as the session does (asynchronously for deliveries: a
    /// verdict lost in a crash leaves the job running under its lease, and once the lease ends
    /// the next attempt counts as maybe-sent).
    package func record(_ verdicts: [Verdict]) throws(PostgresError) -> [FinishResult] {
        guard !verdicts.isEmpty else { return [] }
        var delivered: [Verdict] = []
        var retried: [(Verdict, WallClock, String, Bool)] = []
        var dead: [(Verdict, JobDeath)] = []
        for item in verdicts {
            switch item.verdict {
            case .delivered: delivered.append(item)
            case .retry(let at, let reason, let mayHaveSent): retried.append((item, at, reason, mayHaveSent))
            case .dead(let death): dead.append((item, death))
            }
        }
        // One statement (one round trip, one commit) for every kind: data-modifying CTEs, each
        // fenced by the lease token; the ids it returns are the verdicts recorded. Only the kinds
        // present are in it (the database plans the statement on every call, and nearly every
        // batch is deliveries only).
        var parts: [(name: String, sql: String)] = []
        var parameters: [String?] = []
        func placeholders(_ values: [String]) -> [String] {
            values.map { value in
                parameters.append(value)
                return "$\(parameters.count)"
            }
        }
        if !delivered.isEmpty {
            let p = placeholders([
                Self.array(delivered.map(\.id.description)), Self.array(delivered.map { String($0.token) }),
            ])
            parts.append(
                (
                    "delivered",
                    """
                    DELETE FROM herald_jobs j USING unnest(\(p[0])::text[], \(p[1])::bigint[]) AS v(id, token)
                    WHERE j.id = v.id AND j.lease_token = v.token AND j.state = 'running'
                    RETURNING j.id
                    """
                ))
        }
        if !retried.isEmpty {
            let p = placeholders([
                Self.array(retried.map(\.0.id.description)), Self.array(retried.map { String($0.0.token) }),
                Self.array(retried.map { String($0.0.attempts) }),
                Self.array(retried.map { String($0.1.millisecondsSinceEpoch) }),
                Self.array(retried.map(\.2)), Self.array(retried.map { $0.3 ? "t" : "f" }),
            ])
            parts.append(
                (
                    "retried",
                    """
                    UPDATE herald_jobs j SET state = 'queued', attempts = v.attempts,
                        not_before = to_timestamp(v.not_before_ms / 1000.0), reason = v.reason, last_answer = v.reason,
                        may_have_sent = v.may_have_sent, lease_owner = NULL, lease_token = NULL, lease_until = NULL
                    FROM unnest(\(p[0])::text[], \(p[1])::bigint[], \(p[2])::integer[], \(p[3])::bigint[], \(p[4])::text[], \(p[5])::boolean[])
                        AS v(id, token, attempts, not_before_ms, reason, may_have_sent)
                    WHERE j.id = v.id AND j.lease_token = v.token AND j.state = 'running'
                    RETURNING j.id
                    """
                ))
        }
        if !dead.isEmpty {
            let p = placeholders([
                Self.array(dead.map(\.0.id.description)), Self.array(dead.map { String($0.0.token) }),
                Self.array(dead.map { String($0.0.attempts) }), Self.array(dead.map(\.1.description)),
                Self.array(dead.map(\.1.lastAnswer)),
            ])
            parts.append(
                (
                    "died",
                    """
                    UPDATE herald_jobs j SET state = 'dead', attempts = v.attempts, died_at = now(), reason = v.reason,
                        last_answer = v.last_answer, may_have_sent = false,
                        lease_owner = NULL, lease_token = NULL, lease_until = NULL
                    FROM unnest(\(p[0])::text[], \(p[1])::bigint[], \(p[2])::integer[], \(p[3])::text[], \(p[4])::text[])
                        AS v(id, token, attempts, reason, last_answer)
                    WHERE j.id = v.id AND j.lease_token = v.token AND j.state = 'running'
                    RETURNING j.id
                    """
                ))
        }
        let rows = try connection.query(
            "WITH " + parts.map { "\($0.name) AS (\n\($0.sql)\n)" }.joined(separator: ", ") + "\n"
                + parts.map { "SELECT id FROM \($0.name)" }.joined(separator: " UNION ALL "),
            parameters)
        let recorded = Set(rows.rows.compactMap { $0.first ?? nil })
        // A verdict refused: the job is gone (dropped), or another claim holds it now.
        let refused = verdicts.map(\.id.description).filter { !recorded.contains($0) }
        var present: Set<String> = []
        if !refused.isEmpty {
            let rows = try connection.query(
                "SELECT id FROM herald_jobs WHERE id = ANY($1::text[])", [Self.array(refused)])
            present = Set(rows.rows.compactMap { $0.first ?? nil })
        }
        return verdicts.map { item in
            let id = item.id.description
            return recorded.contains(id) ? .recorded : present.contains(id) ? .superseded : .dropped
        }
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
}
