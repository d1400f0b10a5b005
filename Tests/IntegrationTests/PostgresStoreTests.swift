import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `store: postgres` through the real `herald` binary and a real PostgreSQL started by the
/// tests: the schema command, several instances on one database, an instance killed while it
/// holds jobs, the database restarted under load, and the queue commands.
@Suite(.enabled(if: PostgresTestCluster.shared != nil, Comment(rawValue: PostgresTestCluster.missing)))
struct PostgresStoreTests {
    static let key = "md-pg-key-0123456789"

    private func config(dsn: String, outbox: String, extra: String = "", lease: String = "30s") -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        store: { postgres: { dsn: "\(dsn)", lease: \(lease), poll_interval: 200ms } }
        ingress: { insecure_no_auth: true }
        delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h } }
        actions:
          box: { plugin: outbox, directory: "\(outbox)", from: hello@example.com }
        routes:
          - name: welcome
            events: [registration.after]
            do: [{ action: box, to: "{{recipient}}", subject: hi, text: hi }]
        \(extra)
        """
    }

    private func migrate(_ config: String) throws {
        let directory = try makeTemporaryDirectory()
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let result = try HeraldProcess.run(["store", "migrate", "--config", "herald.yaml"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
    }

    private func post(_ address: String, trigger: String, recipient: String = "jane.doe@example.com") throws
        -> RawHTTPClient.Response
    {
        let body = String(decoding: try Integration.example("registration-after.json"), as: UTF8.self)
            .replacingOccurrences(of: "jane.doe@example.com", with: recipient)
        return try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", headers: [("Ory-Webhook-Trigger-ID", trigger)],
            body: Array(body.utf8))
    }

    @Test func theSchemaIsMigratedOnceAndServeRefusesWithoutIt() async throws {
        let cluster = try #require(PostgresTestCluster.shared)
        let dsn = try cluster.createDatabase()
        let directory = try makeTemporaryDirectory()
        try config(dsn: dsn, outbox: directory.appendingPathComponent("outbox").path)
            .write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let refused = try HeraldProcess.run(["serve", "--config", "herald.yaml"], in: directory)
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("run: herald store migrate --config FILE"), "\(refused.stderr)")
        // Two hosts at once: the advisory lock makes one apply it and the other find it done.
        async let first = Task.detached {
            try HeraldProcess.run(["store", "migrate", "--config", "herald.yaml"], in: directory)
        }.value
        async let second = Task.detached {
            try HeraldProcess.run(["store", "migrate", "--config", "herald.yaml"], in: directory)
        }.value
        let results = try await [first, second]
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        #expect(results.filter { $0.stdout.hasPrefix("applied schema versions 1, 2, 3, 4") }.count == 1)
        let again = try HeraldProcess.run(["store", "migrate", "--config", "herald.yaml"], in: directory)
        #expect(again.stdout == "the schema is up to date (version 4)\n")
        #expect(try cluster.query(dsn, "SELECT max(version) FROM herald_schema_version") == "4\n")
    }

    /// A connection string libpq cannot read is refused with a fixed message: libpq's own would
    /// quote the password. poll_interval must leave room for lease renewals.
    @Test func badStoreSettingsAreRefusedWithoutQuotingTheDSN() throws {
        let directory = try makeTemporaryDirectory()
        let password = "s3cr%t-pass-word"
        try config(dsn: "postgresql://herald:\(password)@127.0.0.1/herald", outbox: "/tmp/herald-unused")
            .write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let migrate = try HeraldProcess.run(["store", "migrate", "--config", "herald.yaml"], in: directory)
        #expect(migrate.status == 78)
        #expect(migrate.stderr.contains("not a connection string libpq can read"), "\(migrate.stderr)")
        #expect(!migrate.stderr.contains("s3cr"))
        let serve = try HeraldProcess.run(["serve", "--config", "herald.yaml"], in: directory)
        #expect(serve.status == 78 && !serve.stderr.contains("s3cr"))
        try config(dsn: "host=/nowhere dbname=x", outbox: "/tmp/x").replacingOccurrences(
            of: "poll_interval: 200ms", with: "poll_interval: 20s"
        ).write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let check = try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        #expect(check.status == 78 && check.stderr.contains("'poll_interval' must be at least 10ms and shorter than"))
    }

    @Test func threeInstancesShareOneDatabase() async throws {
        let cluster = try #require(PostgresTestCluster.shared)
        let dsn = try cluster.createDatabase()
        let outbox = try makeTemporaryDirectory().appendingPathComponent("outbox")
        let text = config(dsn: dsn, outbox: outbox.path)
        try migrate(text)
        var instances: [(HeraldProcess, String)] = []
        for _ in 0..<3 { instances.append(try await Integration.serve(text)) }
        for number in 0..<30 {
            let response = try post(
                instances[number % 3].1, trigger: "t-\(number)", recipient: "u\(number)@example.com")
            #expect(response.status == 202 && response.text.contains(#""duplicate":false"#), "\(response.text)")
        }
        // The same trigger id at two other instances: stored once, a duplicate everywhere else.
        for index in 1...2 {
            let again = try post(instances[index].1, trigger: "t-0", recipient: "u0@example.com")
            #expect(again.text.contains(#""duplicate":true"#), "\(again.text)")
        }
        #expect(
            try await Integration.eventually(timeout: .seconds(20)) {
                Integration.files(in: outbox, suffix: ".eml").count == 30
            })
        try await Task.sleep(for: .milliseconds(500))
        #expect(Integration.files(in: outbox, suffix: ".eml").count == 30)
        let delivering = instances.filter { $0.0.output.contains("job delivered") }.count
        #expect(delivering >= 2, "deliveries should spread over the instances")
        for (instance, _) in instances { #expect(try await instance.stop() == 0) }
        #expect(try cluster.query(dsn, "SELECT count(*) FROM herald_jobs") == "0\n")
    }

    @Test func anInstanceKilledWhileHoldingJobsIsTakenOverAfterItsLease() async throws {
        let cluster = try #require(PostgresTestCluster.shared)
        let dsn = try cluster.createDatabase()
        let server = try MandrillTestServer(keys: [Self.key], templates: ["welcome"])
        defer { server.stop() }
        server.inject(.delay(.seconds(30)), count: 5)
        // Mandrill has sent them (its answer is what hangs); herald_job is indexed for search.
        server.configure { $0.indexedMetadata = ["herald_job"] }
        try server.start()
        let baseURL = try #require(server.baseURL)
        let text = config(
            dsn: dsn, outbox: "/unused",
            extra: """
                  - name: mail
                    events: [login.after]
                    do: [{ action: mail, template: welcome, to: "{{recipient}}" }]
                """, lease: "3s"
        ).replacingOccurrences(
            of: "  box: { plugin: outbox, directory: \"/unused\", from: hello@example.com }",
            with:
                "  box: { plugin: outbox, directory: \"/tmp/herald-unused\", from: hello@example.com }\n  mail: { plugin: mandrill, api_key: \(Self.key), base_url: \"\(baseURL)\", from: hello@example.com }"
        )
        try migrate(text)
        let (first, address) = try await Integration.serve(text)
        for number in 0..<5 {
            let body = String(decoding: try Integration.example("login-after.json"), as: UTF8.self)
                .replacingOccurrences(of: "jane.doe@example.com", with: "k\(number)@example.com")
            let response = try RawHTTPClient(address: address).request(
                "POST", "/v1/events/login/after", headers: [("Ory-Webhook-Trigger-ID", "k-\(number)")],
                body: Array(body.utf8))
            #expect(response.status == 202)
        }
        // Every job is claimed and its attempt is hanging on Mandrill when the instance dies.
        #expect(try await Integration.eventually { server.requests.count == 5 })
        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        let (second, _) = try await Integration.serve(text)
        #expect(
            try await Integration.eventually(timeout: .seconds(20)) {
                second.output.components(separatedBy: "msg=\"job delivered\"").count - 1 == 5
            })
        let sends = server.requests.filter { $0.path.hasSuffix("send-template.json") }
        let delivered = Set(sends.compactMap { $0.json?["message"]?["metadata"]?["herald_job"]?.string })
        #expect(delivered.count == 5)
        // Duplicates could come only from the attempts in flight when the first instance died; a
        // job taken over after its lease asks messages/search first and finds its earlier send.
        let searches = server.requests.filter { $0.path.hasSuffix("search.json") }.count
        print("lease takeover: \(sends.count - 5) duplicate send(s) of 5 jobs in flight; \(searches) search(es)")
        #expect(searches == 5)
        #expect(sends.count == 5)
        #expect(server.sent.count == 5)
        #expect(try await second.stop() == 0)
    }

    @Test func theDatabaseRestartedUnderLoadMeans503ThenEverythingDelivered() async throws {
        let cluster = try PostgresTestCluster()
        let dsn = try cluster.createDatabase()
        let outbox = try makeTemporaryDirectory().appendingPathComponent("outbox")
        let text = config(dsn: dsn, outbox: outbox.path)
        try migrate(text)
        let (herald, address) = try await Integration.serve(text)
        #expect(try post(address, trigger: "before").status == 202)
        try cluster.stop()
        #expect(try await Integration.eventually { try post(address, trigger: "during").status == 503 })
        let ready = try RawHTTPClient(address: address).request("GET", "/readyz")
        #expect(ready.status == 503 && ready.text.contains("database"), "\(ready.text)")
        try cluster.start()
        #expect(
            try await Integration.eventually(timeout: .seconds(20)) {
                try post(address, trigger: "after").status == 202
            })
        #expect(
            try await Integration.eventually(timeout: .seconds(20)) {
                Integration.files(in: outbox, suffix: ".eml").count == 2
            })
        #expect(try RawHTTPClient(address: address).request("GET", "/readyz").status == 200)
        #expect(herald.output.contains("deliveries resumed") || herald.output.contains("database reachable"))
        #expect(try await herald.stop() == 0)
        try cluster.stop(immediately: true)
    }

    /// Issue 18, items 6 and 7: an idle instance's `/readyz` follows the database both ways
    /// without any event arriving, and its first event after the database returns is stored (the
    /// connections that died with the database were replaced before it came).
    @Test func anIdleInstanceFollowsTheDatabaseAndItsFirstEventAfterwardsIsStored() async throws {
        let cluster = try PostgresTestCluster()
        defer { try? cluster.stop(immediately: true) }
        let dsn = try cluster.createDatabase()
        let outbox = try makeTemporaryDirectory().appendingPathComponent("outbox")
        let text = config(dsn: dsn, outbox: outbox.path)
        try migrate(text)
        let (herald, address) = try await Integration.serve(text)
        let ready = { try RawHTTPClient(address: address).request("GET", "/readyz").status }
        #expect(try await Integration.eventually { try ready() == 200 })
        #expect(try post(address, trigger: "before").status == 202)

        try cluster.stop()
        let stopped = ContinuousClock.now
        #expect(try await Integration.eventually { try ready() == 503 })
        let notReadyAfter = ContinuousClock.now - stopped
        try cluster.start()
        let started = ContinuousClock.now
        #expect(try await Integration.eventually { try ready() == 200 })
        let readyAfter = ContinuousClock.now - started
        #expect(try post(address, trigger: "after").status == 202)
        print("readyz: 503 \(notReadyAfter) after the database stopped, 200 \(readyAfter) after it started")
        #expect(
            try await Integration.eventually(timeout: .seconds(20)) {
                Integration.files(in: outbox, suffix: ".eml").count == 2
            })
        #expect(try await herald.stop() == 0)
    }

    @Test func queueAndDeadCommandsWorkOnTheDatabase() async throws {
        let cluster = try #require(PostgresTestCluster.shared)
        let dsn = try cluster.createDatabase()
        let server = try MandrillTestServer(keys: [Self.key], templates: ["welcome"])
        defer { server.stop() }
        try server.start()
        let baseURL = try #require(server.baseURL)
        let text = config(dsn: dsn, outbox: "/tmp/herald-unused").replacingOccurrences(
            of: "do: [{ action: box, to: \"{{recipient}}\", subject: hi, text: hi }]",
            with: "do: [{ action: mail, template: welcome, to: \"{{recipient}}\" }]"
        ).replacingOccurrences(
            of: "actions:\n",
            with: "actions:\n  mail: { plugin: mandrill, api_key: md-wrong-key-0, base_url: \"\(baseURL)\" }\n")
        try migrate(text)
        let (herald, address) = try await Integration.serve(text)
        #expect(try post(address, trigger: "d-1").status == 202)
        #expect(try post(address, trigger: "d-2", recipient: "joe@example.com").status == 202)
        func cli(_ arguments: String...) throws -> HeraldProcess.Result {
            try HeraldProcess.run(arguments + ["--config", "herald.yaml"], in: herald.directory)
        }
        #expect(
            try await Integration.eventually {
                try cli("dead", "list", "--json").stdout.contains("\"total\": 2")
            })
        let list = try cli("dead", "list")
        #expect(list.stdout.contains("Invalid_Key") && list.stdout.contains("2 dead letters"), "\(list.stdout)")
        let id = try #require(
            try JSONDocument(parsing: Array(try cli("dead", "list", "--json").stdout.utf8)).root.json["dead_letters"]?[
                0]?[
                    "id"]?.string)
        #expect(try cli("dead", "show", id).stdout.contains("dead letter \(id)"))
        #expect(try cli("queue", "show", id).status == 2)
        #expect(try cli("dead", "drop", id).stdout.contains("dropped"))
        server.configure { $0.keys.insert("md-wrong-key-0") }
        let retried = try cli("dead", "retry", "--all")
        #expect(retried.stdout.hasPrefix("1 dead letter back in the queue"), "\(retried.stdout)")
        _ = try await herald.waitForLog("msg=\"job delivered\"")
        #expect(try cli("queue", "list", "--json").stdout.contains("\"total\": 0"))
        #expect(try await herald.stop() == 0)
    }
}
