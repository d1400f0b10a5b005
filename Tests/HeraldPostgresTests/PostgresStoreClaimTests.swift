import Foundation
import HeraldConfig
import HeraldCore
import HeraldJobs
import HeraldPostgres
import HeraldTestSupport
import Testing

/// When the store starts a claim where the last one saw the live jobs begin (a backlog
/// draining), and when it scans from the start: after a claim that fell short, and a second after
/// the last scan from the start. The table's part is in `PostgresJobTableTests`.
@Suite(.enabled(if: PostgresTestCluster.shared != nil, Comment(rawValue: PostgresTestCluster.missing)))
struct PostgresStoreClaimTests {
    private let ids = TimeOrderedIDGenerator()

    private func job() -> Job {
        let now = WallClock.now
        return Job(
            id: ids.next(), eventID: ids.next(), eventName: EventName("registration.after")!, route: "welcome",
            action: "mail", payload: ["to": "x@example.com"], orderingKey: nil, createdAt: now, notBefore: now)
    }

    /// Stores `jobs`, due `secondsAgo` by the database's clock.
    private func add(_ jobs: [Job], dueSecondsAgo secondsAgo: Int, to table: PostgresJobTable) throws {
        _ = try table.store([PostgresJobTable.Event(jobs: jobs, key: nil, routeKeys: [])])
        for job in jobs {
            try table.connection.query(
                "UPDATE herald_jobs SET not_before = now() - make_interval(secs => $2) WHERE id = $1",
                [job.id.description, String(secondsAgo)])
        }
    }

    private func claim(_ store: PostgresStore, _ count: Int) async throws -> [TimeOrderedID] {
        try await store.claim(ClaimRequest(count: count, actions: ["mail"])).map(\.id)
    }

    /// A store on a fresh database, whose claims start at the live jobs' place for at most
    /// `interval` after a scan from the start.
    private func store(interval: Duration) throws -> (PostgresStore, PostgresJobTable) {
        let cluster = try #require(PostgresTestCluster.shared)
        let dsn = try cluster.createDatabase()
        let table = PostgresJobTable(connection: try PostgresConnection(dsn: dsn))
        _ = try PostgresSchema.migrate(table.connection)
        // Leases and due times far longer than a loaded machine can take over the test (CI's
        // first phase once took 93 s for it): claims stay held, and the order of due times holds.
        var settings = PostgresStoreSettings(dsn: dsn)
        settings.lease = .seconds(3600)
        let store = try PostgresStore.open(settings: settings, logger: .discarding, fullClaimInterval: interval)
        return (store, table)
    }

    /// While claims take all they ask for, each starts at the place the last saw the live jobs
    /// begin (so it passes a job stored before that place); one that falls short makes the next
    /// scan from the start. The interval is long here: a loaded machine cannot reach it.
    @Test func claimsStartWhereTheLiveJobsBeganWhileTheyTakeAllTheyAskFor() async throws {
        let (store, table) = try store(interval: .seconds(600))
        let backlog = (0..<6).map { _ in job() }
        try add(backlog, dueSecondsAgo: 3600, to: table)
        // Two claims that take all they ask: the second scans from the start and learns where
        // the live jobs begin (the first running job, an hour ago).
        #expect(try await claim(store, 2) == [backlog[0].id, backlog[1].id])
        #expect(try await claim(store, 2) == [backlog[2].id, backlog[3].id])
        // A job due before that place (stored by a host whose clock is far behind): the next
        // claim starts at the place and passes it; it falls short (2 of 10)...
        let behind = job()
        try add([behind], dueSecondsAgo: 7200, to: table)
        #expect(try await claim(store, 10) == [backlog[4].id, backlog[5].id])
        // ...so the one after scans from the start and takes it.
        #expect(try await claim(store, 10) == [behind.id])
    }

    /// Once the interval has passed since the last scan from the start, a claim scans from the
    /// start again even while claims take all they ask for.
    @Test func aClaimScansFromTheStartOnceTheIntervalHasPassed() async throws {
        let interval = Duration.milliseconds(200)
        let (store, table) = try store(interval: interval)
        let backlog = (0..<4).map { _ in job() }
        try add(backlog, dueSecondsAgo: 3600, to: table)
        #expect(try await claim(store, 1) == [backlog[0].id])
        #expect(try await claim(store, 1) == [backlog[1].id])
        // Before every live job: a claim started at the place would pass it.
        let late = job()
        try add([late], dueSecondsAgo: 7200, to: table)
        try await Task.sleep(for: interval + .milliseconds(100))
        #expect(try await claim(store, 1) == [late.id])
    }
}
