import Foundation
import HeraldCore
import HeraldJobs
import HeraldPostgres
import HeraldTestSupport
import Testing

/// The job table's rules against a real PostgreSQL: dedupe shared by instances, claims that
/// skip what another instance holds, leases that end, verdicts fenced by the lease's token, and
/// per-recipient order of first attempts across instances.
@Suite(.enabled(if: PostgresTestCluster.shared != nil, Comment(rawValue: PostgresTestCluster.missing)))
struct PostgresJobTableTests {
    private let ids = TimeOrderedIDGenerator()

    private func store() throws -> PostgresJobTable {
        let cluster = try #require(PostgresTestCluster.shared)
        let connection = try PostgresConnection(dsn: try cluster.createDatabase())
        #expect(try PostgresSchema.migrate(connection) == [1, 2, 3, 4])
        #expect(try PostgresSchema.migrate(connection) == [])
        try PostgresSchema.check(connection)
        return PostgresJobTable(connection: connection)
    }

    /// A second connection to the same database: another instance.
    private func other(_ store: PostgresJobTable, dsn: String? = nil) throws -> PostgresJobTable {
        let name = try store.connection.query("SELECT current_database() AS name").value(0, "name") ?? ""
        let cluster = try #require(PostgresTestCluster.shared)
        return PostgresJobTable(
            connection: try PostgresConnection(dsn: "host=\(cluster.directory) user=herald dbname=\(name)"))
    }

    private func verdict(_ claim: PostgresJobTable.Claim, _ verdict: AttemptVerdict) -> PostgresJobTable.Verdict {
        PostgresJobTable.Verdict(
            id: claim.job.id, token: claim.token, verdict: verdict, attempts: claim.job.attempts + 1)
    }

    private func job(key: String? = nil, action: String = "mail", delay: Duration = .zero) -> Job {
        let now = WallClock.now
        return Job(
            id: ids.next(), eventID: ids.next(), eventName: EventName("registration.after")!, route: "welcome",
            action: action, payload: ["to": .string(key ?? "x@example.com")], orderingKey: key, createdAt: now,
            notBefore: now.adding(delay))
    }

    @Test func eventsAreDedupedAcrossInstancesByTheirKey() throws {
        let first = try store()
        let second = try other(first)
        let event = PostgresJobTable.Event(jobs: [job()], key: ("trigger:t-1", .seconds(60)), routeKeys: [])
        #expect(try first.store([event]).first?.duplicate == false)
        let again = PostgresJobTable.Event(jobs: [job()], key: ("trigger:t-1", .seconds(60)), routeKeys: [])
        #expect(try second.store([again]).first?.duplicate == true)
        let routed = PostgresJobTable.Event(
            jobs: [job()], key: ("trigger:t-2", .seconds(60)), routeKeys: [("welcome", "route:welcome:x", .seconds(60))]
        )
        #expect(try second.store([routed]).first?.suppressedRoutes.isEmpty == true)
        let routedAgain = PostgresJobTable.Event(
            jobs: [job()], key: ("trigger:t-3", .seconds(60)), routeKeys: [("welcome", "route:welcome:x", .seconds(60))]
        )
        #expect(try first.store([routedAgain]).first?.suppressedRoutes == ["welcome"])
        #expect(try first.statistics().depth == 2)
    }

    /// A route's dedupe key is rendered from the event (identity id, user agent): the table keeps
    /// its digest only, so that no personal data stays there for the window after `herald forget`.
    @Test func dedupeKeysAreKeptAsDigests() throws {
        let table = try store()
        let personal = "route:new-device-sign-in:7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20|Mozilla/5.0 (X11; Linux)"
        let event = PostgresJobTable.Event(
            jobs: [job()], key: ("trigger:t-9", .seconds(60)), routeKeys: [("welcome", personal, .seconds(60))])
        #expect(try table.store([event]).first?.suppressedRoutes.isEmpty == true)
        let again = PostgresJobTable.Event(
            jobs: [job()], key: ("trigger:t-10", .seconds(60)), routeKeys: [("welcome", personal, .seconds(60))])
        #expect(try table.store([again]).first?.suppressedRoutes == ["welcome"])
        let keys = try table.connection.query("SELECT key FROM herald_dedupe ORDER BY key")
        let stored = (0..<keys.rows.count).compactMap { keys.value($0, "key") }
        #expect(stored.count == 3)
        for key in stored {
            #expect(!key.contains("7a1e3f4c") && !key.contains("Mozilla") && !key.contains("t-9"), "\(key)")
        }
        #expect(stored.contains(PostgresJobTable.storedDedupeKey(personal)))
    }

    /// A job taken from a lease that ran out may have been sent: the mark is in its row, so a
    /// release of the new claim (a stop before its attempt started) does not lose it.
    @Test func aJobTakenOverStaysMaybeSentWhenItsClaimIsReleased() throws {
        let first = try store()
        let second = try other(first)
        _ = try first.store([PostgresJobTable.Event(jobs: [job()], key: nil, routeKeys: [])])
        let claimed = try first.claim(limit: 10, owner: "a", lease: .milliseconds(200), actions: ["mail"])
        #expect(claimed.count == 1 && !claimed[0].mayHaveSent)
        Thread.sleep(forTimeInterval: 0.3)
        let takenOver = try second.claim(limit: 10, owner: "b", lease: .seconds(30), actions: ["mail"])
        #expect(takenOver.count == 1 && takenOver[0].mayHaveSent)
        #expect(try second.release(takenOver.map { (id: $0.job.id, token: $0.token) }) == 1)
        let again = try first.claim(limit: 10, owner: "a", lease: .seconds(30), actions: ["mail"])
        #expect(again.map(\.job.id) == claimed.map(\.job.id))
        #expect(again.first?.mayHaveSent == true, "the released claim forgot that the job may have been sent")
    }

    @Test func aJobIsClaimedOnceAndOnlyTheLeaseHolderRecordsItsOutcome() throws {
        let first = try store()
        let second = try other(first)
        _ = try first.store([PostgresJobTable.Event(jobs: [job()], key: nil, routeKeys: [])])
        let claimed = try first.claim(limit: 10, owner: "a", lease: .milliseconds(200), actions: ["mail"])
        #expect(claimed.count == 1)
        #expect(try second.claim(limit: 10, owner: "b", lease: .seconds(30), actions: ["mail"]).isEmpty)
        // "a" stalls past its lease: "b" takes the job over, and "a" can no longer record anything.
        Thread.sleep(forTimeInterval: 0.3)
        let takenOver = try second.claim(limit: 10, owner: "b", lease: .seconds(30), actions: ["mail"])
        #expect(takenOver.map(\.job.id) == claimed.map(\.job.id))
        // The stalled attempt may have sent: the new holder is told so (it may ask the peer first).
        #expect(!claimed[0].mayHaveSent && takenOver[0].mayHaveSent)
        let late = [
            verdict(claimed[0], .delivered(detail: "late")),
            verdict(claimed[0], .dead(.failed("late"))),
            verdict(claimed[0], .retry(at: .now, reason: "late", mayHaveSent: false)),
        ]
        #expect(try first.record(late) == [.superseded, .superseded, .superseded])
        #expect(try second.record([verdict(takenOver[0], .delivered(detail: "ok"))]) == [.recorded])
        // The job is gone now: a verdict for it finds nothing to change.
        #expect(try first.record([verdict(claimed[0], .delivered(detail: "late"))]) == [.dropped])
        #expect(try first.statistics().depth == 0)
    }

    /// Many verdicts of every kind in one call (one commit), each as its claim said.
    @Test func verdictsAreRecordedTogether() throws {
        let store = try self.store()
        let jobs = (0..<4).map { _ in job() }
        _ = try store.store([PostgresJobTable.Event(jobs: jobs, key: nil, routeKeys: [])])
        let claims = try store.claim(limit: 10, owner: "a", lease: .seconds(30), actions: ["mail"])
        #expect(claims.count == 4)
        let byID = Dictionary(uniqueKeysWithValues: claims.map { ($0.job.id, $0) })
        let later = claims[0].claimedAt.adding(.seconds(60))
        let reason = "503 \"x\" \\ {a,b}"
        let results = try store.record([
            verdict(try #require(byID[jobs[0].id]), .delivered(detail: "ok")),
            verdict(try #require(byID[jobs[1].id]), .retry(at: later, reason: reason, mayHaveSent: true)),
            verdict(try #require(byID[jobs[2].id]), .dead(.failed("rejected"))),
            verdict(try #require(byID[jobs[3].id]), .dead(.unreadable("bad"))),
        ])
        #expect(results == [.recorded, .recorded, .recorded, .recorded])
        let rows = try store.connection.query(
            """
            SELECT id, state, attempts, reason, last_answer, may_have_sent,
                (extract(epoch FROM not_before) * 1000)::bigint AS not_before_ms
            FROM herald_jobs ORDER BY id
            """)
        #expect(rows.rows.count == 3)
        let retried = try #require((0..<3).first { rows.value($0, "id") == jobs[1].id.description })
        #expect(rows.value(retried, "state") == "queued" && rows.value(retried, "attempts") == "1")
        #expect(rows.value(retried, "reason") == reason && rows.value(retried, "may_have_sent") == "t")
        #expect(rows.value(retried, "not_before_ms") == String(later.millisecondsSinceEpoch))
        let failed = try #require((0..<3).first { rows.value($0, "id") == jobs[2].id.description })
        #expect(rows.value(failed, "state") == "dead" && rows.value(failed, "last_answer") == "rejected")
        let unreadable = try #require((0..<3).first { rows.value($0, "id") == jobs[3].id.description })
        #expect(rows.value(unreadable, "reason") == "its record cannot be read: bad")
        #expect(rows.value(unreadable, "last_answer") == nil)
    }

    /// A claim tells when the job's series began and the database's time, by which the
    /// executor decides; a retry keeps the series and counts the attempt.
    @Test func aClaimCarriesTheSeriesStartAndTheDatabasesTime() throws {
        let store = try self.store()
        try store.connection.execute("SET synchronous_commit TO off")
        _ = try store.store([PostgresJobTable.Event(jobs: [job()], key: nil, routeKeys: [])])
        let claim = try #require(
            try store.claim(total: 5, rounds: [(5, ["mail"])], owner: "a", lease: .seconds(30)).claims.first)
        #expect(claim.seriesStart == claim.job.dueAt)
        #expect(claim.claimedAt >= claim.seriesStart)
        #expect(
            try store.record([verdict(claim, .retry(at: claim.claimedAt, reason: "503", mayHaveSent: false))])
                == [.recorded])
        let again = try #require(try store.claim(limit: 1, owner: "a", lease: .seconds(30), actions: ["mail"]).first)
        #expect(again.job.attempts == 1)
        #expect(again.seriesStart == claim.seriesStart)
    }

    @Test func firstAttemptsOfOneRecipientRunInOrderAcrossInstances() throws {
        let first = try store()
        let second = try other(first)
        let early = job(key: "jane@example.com")
        let late = job(key: "jane@example.com")
        let otherRecipient = job(key: "joe@example.com")
        _ = try first.store([PostgresJobTable.Event(jobs: [early, late, otherRecipient], key: nil, routeKeys: [])])
        let a = try first.claim(limit: 10, owner: "a", lease: .seconds(30), actions: ["mail"])
        #expect(Set(a.map(\.job.id)) == [early.id, otherRecipient.id])
        #expect(try second.claim(limit: 10, owner: "b", lease: .seconds(30), actions: ["mail"]).isEmpty)
        // The early job fails and waits: the later one goes ahead on the other instance.
        let earlyClaim = try #require(a.first { $0.job.id == early.id })
        let inAnHour = earlyClaim.claimedAt.adding(.seconds(3600))
        _ = try first.record([verdict(earlyClaim, .retry(at: inAnHour, reason: "503", mayHaveSent: false))])
        #expect(
            try second.claim(limit: 10, owner: "b", lease: .seconds(30), actions: ["mail"]).map(\.job.id) == [late.id])
    }

    /// A claim says where the live jobs begin; the next one, started there, takes the jobs after
    /// it without walking the delivered ones, and misses only a job stored meanwhile before that
    /// place (a host's clock far behind), which a claim from the start takes.
    @Test func claimsStartWhereTheLiveJobsBegin() throws {
        let store = try self.store()
        let jobs = (0..<6).map { _ in job() }
        _ = try store.store([PostgresJobTable.Event(jobs: jobs, key: nil, routeKeys: [])])
        // Due a minute ago (the database's clock sets due times), in their order.
        try store.connection.execute("UPDATE herald_jobs SET not_before = not_before - interval '60 seconds'")
        let mail = [(limit: 2, actions: ["mail"])]
        let first = try store.claim(total: 2, rounds: mail, owner: "a", lease: .seconds(30))
        #expect(first.claims.map(\.job.id) == [jobs[0].id, jobs[1].id])
        #expect(first.head?.id == jobs[0].id.description)
        _ = try store.record(first.claims.map { verdict($0, .delivered(detail: "ok")) })
        let second = try store.claim(total: 2, rounds: mail, owner: "a", lease: .seconds(30), from: first.head)
        #expect(second.claims.map(\.job.id) == [jobs[2].id, jobs[3].id])
        #expect(second.head?.id == jobs[2].id.description)
        // Stored now, but due before that place (as a host whose clock is far behind would).
        let behind = job()
        _ = try store.store([PostgresJobTable.Event(jobs: [behind], key: nil, routeKeys: [])])
        try store.connection.query(
            "UPDATE herald_jobs SET not_before = now() - interval '120 seconds' WHERE id = $1", [behind.id.description])
        let all = [(limit: 10, actions: ["mail"])]
        let third = try store.claim(total: 10, rounds: all, owner: "a", lease: .seconds(30), from: second.head)
        #expect(third.claims.map(\.job.id) == [jobs[4].id, jobs[5].id])
        let fromStart = try store.claim(total: 10, rounds: all, owner: "a", lease: .seconds(30))
        #expect(fromStart.claims.map(\.job.id) == [behind.id])
        // A job due just now, the others delivered: the place given back stays a few seconds
        // behind the database's now.
        let claimed = second.claims + third.claims + fromStart.claims
        _ = try store.record(claimed.map { verdict($0, .delivered(detail: "ok")) })
        let fresh = job()
        _ = try store.store([PostgresJobTable.Event(jobs: [fresh], key: nil, routeKeys: [])])
        let fourth = try store.claim(total: 10, rounds: all, owner: "a", lease: .seconds(30), from: third.head)
        #expect(fourth.claims.map(\.job.id) == [fresh.id])
        #expect(fourth.head?.id == "")
    }

    /// Only the actions asked for are claimed (an instance's known, not-yet-full actions), and
    /// delayed jobs wait their time.
    @Test func onlyTheGivenActionsAndDueJobsAreClaimed() throws {
        let store = try self.store()
        _ = try store.store([
            PostgresJobTable.Event(
                jobs: [job(action: "mail"), job(action: "hook"), job(action: "mail", delay: .seconds(3600))], key: nil,
                routeKeys: [])
        ])
        let claimed = try store.claim(limit: 10, owner: "a", lease: .seconds(30), actions: ["hook"])
        #expect(claimed.map(\.job.action) == ["hook"])
        #expect(try store.nextWake().map { $0 <= .seconds(1) } == true)
    }
}
