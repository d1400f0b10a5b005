import Foundation
import HeraldCore
import HeraldPostgres
import HeraldTestSupport
import Testing

/// The job store's rules against a real PostgreSQL: dedupe shared by instances, claims that
/// skip what another instance holds, leases that end, outcomes fenced by the lease's token, and
/// per-recipient order of first attempts across instances.
@Suite(.enabled(if: PostgresTestCluster.shared != nil, Comment(rawValue: PostgresTestCluster.missing)))
struct PostgresJobStoreTests {
    private let ids = TimeOrderedIDGenerator()

    private func store() throws -> PostgresJobStore {
        let cluster = try #require(PostgresTestCluster.shared)
        let connection = try PostgresConnection(dsn: try cluster.createDatabase())
        #expect(try PostgresSchema.migrate(connection) == [1, 2, 3])
        #expect(try PostgresSchema.migrate(connection) == [])
        try PostgresSchema.check(connection)
        return PostgresJobStore(connection: connection)
    }

    /// A second connection to the same database: another instance.
    private func other(_ store: PostgresJobStore, dsn: String? = nil) throws -> PostgresJobStore {
        let name = try store.connection.query("SELECT current_database() AS name").value(0, "name") ?? ""
        let cluster = try #require(PostgresTestCluster.shared)
        return PostgresJobStore(
            connection: try PostgresConnection(dsn: "host=\(cluster.directory) user=herald dbname=\(name)"))
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
        let event = PostgresJobStore.Event(jobs: [job()], key: ("trigger:t-1", .seconds(60)), routeKeys: [])
        #expect(try first.store([event]).first?.duplicate == false)
        let again = PostgresJobStore.Event(jobs: [job()], key: ("trigger:t-1", .seconds(60)), routeKeys: [])
        #expect(try second.store([again]).first?.duplicate == true)
        let routed = PostgresJobStore.Event(
            jobs: [job()], key: ("trigger:t-2", .seconds(60)), routeKeys: [("welcome", "route:welcome:x", .seconds(60))]
        )
        #expect(try second.store([routed]).first?.suppressedRoutes.isEmpty == true)
        let routedAgain = PostgresJobStore.Event(
            jobs: [job()], key: ("trigger:t-3", .seconds(60)), routeKeys: [("welcome", "route:welcome:x", .seconds(60))]
        )
        #expect(try first.store([routedAgain]).first?.suppressedRoutes == ["welcome"])
        #expect(try first.statistics().depth == 2)
    }

    @Test func aJobIsClaimedOnceAndOnlyTheLeaseHolderRecordsItsOutcome() throws {
        let first = try store()
        let second = try other(first)
        _ = try first.store([PostgresJobStore.Event(jobs: [job()], key: nil, routeKeys: [])])
        let claimed = try first.claim(limit: 10, owner: "a", lease: .milliseconds(200), actions: ["mail"])
        #expect(claimed.count == 1)
        #expect(try second.claim(limit: 10, owner: "b", lease: .seconds(30), actions: ["mail"]).isEmpty)
        // "a" stalls past its lease: "b" takes the job over, and "a" can no longer record anything.
        Thread.sleep(forTimeInterval: 0.3)
        let takenOver = try second.claim(limit: 10, owner: "b", lease: .seconds(30), actions: ["mail"])
        #expect(takenOver.map(\.job.id) == claimed.map(\.job.id))
        // The stalled attempt may have sent: the new holder is told so (it may ask the peer first).
        #expect(!claimed[0].mayHaveSent && takenOver[0].mayHaveSent)
        #expect(try !first.delivered(claimed[0]))
        #expect(try !first.failed(claimed[0], reason: "late"))
        #expect(
            try first.retry(claimed[0], after: .seconds(1), maxAge: .seconds(60), reason: "late", gaveUp: "x")
                == .leaseLost)
        #expect(try second.delivered(takenOver[0]))
        #expect(try first.statistics().depth == 0)
    }

    @Test func retriesCountFromTheDueTimeAndExpireIntoDeadLetters() throws {
        let store = try self.store()
        _ = try store.store([PostgresJobStore.Event(jobs: [job()], key: nil, routeKeys: [])])
        var claim = try #require(try store.claim(limit: 1, owner: "a", lease: .seconds(30), actions: ["mail"]).first)
        #expect(
            try store.retry(claim, after: .zero, maxAge: .seconds(60), reason: "503", gaveUp: "x") == .queued(in: .zero)
        )
        claim = try #require(try store.claim(limit: 1, owner: "a", lease: .seconds(30), actions: ["mail"]).first)
        #expect(claim.job.attempts == 1)
        #expect(
            try store.retry(claim, after: .seconds(120), maxAge: .seconds(60), reason: "503", gaveUp: "gave up")
                == .expired)
        let dead = try store.connection.query("SELECT state, reason, attempts FROM herald_jobs")
        #expect(dead.value(0, "state") == "dead" && dead.value(0, "reason") == "gave up")
        #expect(dead.value(0, "attempts") == "2")
    }

    @Test func firstAttemptsOfOneRecipientRunInOrderAcrossInstances() throws {
        let first = try store()
        let second = try other(first)
        let early = job(key: "jane@example.com")
        let late = job(key: "jane@example.com")
        let otherRecipient = job(key: "joe@example.com")
        _ = try first.store([PostgresJobStore.Event(jobs: [early, late, otherRecipient], key: nil, routeKeys: [])])
        let a = try first.claim(limit: 10, owner: "a", lease: .seconds(30), actions: ["mail"])
        #expect(Set(a.map(\.job.id)) == [early.id, otherRecipient.id])
        #expect(try second.claim(limit: 10, owner: "b", lease: .seconds(30), actions: ["mail"]).isEmpty)
        // The early job fails and waits: the later one goes ahead on the other instance.
        let earlyClaim = try #require(a.first { $0.job.id == early.id })
        _ = try first.retry(earlyClaim, after: .seconds(3600), maxAge: .seconds(86_400), reason: "503", gaveUp: "x")
        #expect(
            try second.claim(limit: 10, owner: "b", lease: .seconds(30), actions: ["mail"]).map(\.job.id) == [late.id])
    }

    /// Only the actions asked for are claimed (an instance's known, not-yet-full actions), and
    /// delayed jobs wait their time.
    @Test func onlyTheGivenActionsAndDueJobsAreClaimed() throws {
        let store = try self.store()
        _ = try store.store([
            PostgresJobStore.Event(
                jobs: [job(action: "mail"), job(action: "hook"), job(action: "mail", delay: .seconds(3600))], key: nil,
                routeKeys: [])
        ])
        let claimed = try store.claim(limit: 10, owner: "a", lease: .seconds(30), actions: ["hook"])
        #expect(claimed.map(\.job.action) == ["hook"])
        #expect(try store.nextWake().map { $0 <= .seconds(1) } == true)
    }
}
