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

    @Test func claimsStartWhereTheLiveJobsBeganOnlyWhileTheyTakeAllTheyAskFor() async throws {
        let cluster = try #require(PostgresTestCluster.shared)
        let dsn = try cluster.createDatabase()
        let table = PostgresJobTable(connection: try PostgresConnection(dsn: dsn))
        _ = try PostgresSchema.migrate(table.connection)
        let store = try PostgresStore.open(settings: PostgresStoreSettings(dsn: dsn), logger: .discarding)

        let backlog = (0..<6).map { _ in job() }
        try add(backlog, dueSecondsAgo: 60, to: table)
        // Two claims that take all they ask: the second scans from the start and learns where
        // the live jobs begin (the first running job, a minute ago).
        #expect(try await claim(store, 2) == [backlog[0].id, backlog[1].id])
        #expect(try await claim(store, 2) == [backlog[2].id, backlog[3].id])
        // A job due before that place (stored by a host whose clock is far behind): the next
        // claim starts at the place and passes it; it falls short (2 of 10)...
        let behind = job()
        try add([behind], dueSecondsAgo: 120, to: table)
        #expect(try await claim(store, 10) == [backlog[4].id, backlog[5].id])
        // ...so the one after scans from the start and takes it.
        #expect(try await claim(store, 10) == [behind.id])

        // A backlog again, and a job stored before its place: a second after the last scan from
        // the start, claims scan from the start even while they take all they ask.
        let second = (0..<4).map { _ in job() }
        try add(second, dueSecondsAgo: 60, to: table)
        #expect(try await claim(store, 1) == [second[0].id])
        #expect(try await claim(store, 1) == [second[1].id])
        // Before every live job, the running ones of the first backlog too.
        let late = job()
        try add([late], dueSecondsAgo: 600, to: table)
        #expect(try await claim(store, 1) == [second[2].id], "started at the place, which is after the late job")
        try await Task.sleep(for: PostgresStore.fullClaimInterval + .milliseconds(100))
        #expect(try await claim(store, 1) == [late.id])
    }
}
