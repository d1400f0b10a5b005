import Foundation
import HeraldConfig
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

    @Test func aClaimSurvivesADatabaseCrashAndItsJobComesBackAsMaybeSent() async throws {
        // The server commits asynchronously by default, and the WAL writer waits 10 s: a commit
        // that does not ask for the flush itself is not on disk when the crash comes.
        let cluster = try PostgresTestCluster(settings: ["wal_writer_delay=10s", "synchronous_commit=off"])
        defer { try? cluster.stop(immediately: true) }
        let dsn = try cluster.createDatabase()
        let setup = try PostgresConnection(dsn: dsn)
        _ = try PostgresSchema.migrate(setup)
        let now = WallClock.now
        let job = Job(
            id: ids.next(), eventID: ids.next(), eventName: EventName("registration.after")!, route: "welcome",
            action: "mail", payload: ["to": "a@example.com"], orderingKey: nil, createdAt: now, notBefore: now)
        try setup.execute("SET synchronous_commit TO on")
        _ = try PostgresJobTable(connection: setup).store([
            PostgresJobTable.Event(jobs: [job], key: nil, routeKeys: [])
        ])

        // The store claims as the daemon's executor does.
        var settings = PostgresStoreSettings(dsn: dsn)
        settings.lease = .seconds(3)
        let store = try PostgresStore.open(settings: settings, logger: .discarding)
        let claims = try await store.claim(ClaimRequest(count: 1, actions: ["mail"]))
        #expect(claims.map(\.id) == [job.id])
        try cluster.stop(immediately: true)
        try cluster.start()

        let after = PostgresJobTable(connection: try PostgresConnection(dsn: dsn))
        let row = try after.connection.query("SELECT state, lease_owner FROM herald_jobs")
        #expect(row.value(0, "state") == "running" && row.value(0, "lease_owner") == store.owner)
        // Once the lease ran out, another instance takes the job, told that it may have sent.
        var takenOver: [PostgresJobTable.Claim] = []
        for _ in 0..<200 where takenOver.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            takenOver = try after.claim(limit: 1, owner: "b", lease: .seconds(30), actions: ["mail"])
        }
        #expect(takenOver.map(\.job.id) == [job.id])
        #expect(takenOver.first?.mayHaveSent == true)
    }
}
