import Foundation
import HeraldCore
import HeraldJobs
import HeraldPostgres
import HeraldTestSupport
import Testing

/// What a database crash may forget (issue 18, item 8): verdicts are committed asynchronously,
/// claims are not. A claim forgotten by a crash would bring its job back as never attempted
/// while its attempt may have sent it; a claim that survives brings it back, once its lease has
/// run out, as maybe-sent (the next attempt asks Mandrill first).
@Suite(.enabled(if: PostgresTestCluster.shared != nil, Comment(rawValue: PostgresTestCluster.missing)))
struct PostgresCrashTests {
    private let ids = TimeOrderedIDGenerator()

    @Test func aClaimSurvivesADatabaseCrashAndItsJobComesBackAsMaybeSent() throws {
        // The WAL writer waits 10 s: an asynchronous commit is not on disk when the crash comes.
        let cluster = try PostgresTestCluster(settings: ["wal_writer_delay=10s"])
        defer { try? cluster.stop(immediately: true) }
        let dsn = try cluster.createDatabase()
        let setup = try PostgresConnection(dsn: dsn)
        _ = try PostgresSchema.migrate(setup)
        let now = WallClock.now
        let job = Job(
            id: ids.next(), eventID: ids.next(), eventName: EventName("registration.after")!, route: "welcome",
            action: "mail", payload: ["to": "a@example.com"], orderingKey: nil, createdAt: now, notBefore: now)
        _ = try PostgresJobTable(connection: setup).store([PostgresJobTable.Event(jobs: [job], key: nil, routeKeys: [])]
        )

        // The delivery session commits asynchronously, as the daemon's does.
        let delivery = try PostgresConnection(dsn: dsn)
        try delivery.execute("SET synchronous_commit TO off")
        let claims = try PostgresJobTable(connection: delivery).claim(
            total: 1, rounds: [(1, ["mail"])], owner: "a", lease: .seconds(1))
        #expect(claims.map(\.job.id) == [job.id])
        try cluster.stop(immediately: true)
        try cluster.start()

        let after = PostgresJobTable(connection: try PostgresConnection(dsn: dsn))
        let row = try after.connection.query("SELECT state, lease_owner FROM herald_jobs")
        #expect(row.value(0, "state") == "running" && row.value(0, "lease_owner") == "a")
        // Once the lease ran out, another instance takes the job, told that it may have sent.
        var takenOver: [PostgresJobTable.Claim] = []
        for _ in 0..<100 where takenOver.isEmpty {
            Thread.sleep(forTimeInterval: 0.05)
            takenOver = try after.claim(limit: 1, owner: "b", lease: .seconds(30), actions: ["mail"])
        }
        #expect(takenOver.map(\.job.id) == [job.id])
        #expect(takenOver.first?.mayHaveSent == true)
    }
}
