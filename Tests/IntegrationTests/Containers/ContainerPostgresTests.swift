import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// Two containers of the image on one PostgreSQL store (the tests' own cluster, its unix socket
/// mounted in): `herald store migrate` from the image, the same event posted to both is stored
/// once, and the jobs one instance accepted are delivered by the other after it stopped.
@Suite(
    .serialized, .enabled(if: Podman.available, Comment(rawValue: Podman.missing)),
    .enabled(if: PostgresTestCluster.shared != nil, Comment(rawValue: PostgresTestCluster.missing)))
struct ContainerPostgresTests {
    static let socketFolder = "/run/herald-pg"

    /// A configuration folder for one instance: its own port, the shared database, an outbox on
    /// its own state volume, jobs due a few seconds after their event.
    static func configFolder(port: Int, database: String) throws -> URL {
        let folder = try makeTemporaryDirectory()
        try """
        listen: ["127.0.0.1:\(port)"]
        state_dir: /var/lib/herald
        store: { postgres: { dsn: "host=\(socketFolder) user=herald dbname=\(database)" } }
        ingress: { insecure_no_auth: true }
        actions:
          box: { plugin: outbox, directory: /var/lib/herald/outbox, from: hello@example.com }
        routes:
          - name: welcome
            events: [registration.after]
            delay: 3s
            do: [{ action: box, to: "{{recipient}}", subject: "Welcome", text: "{{event.trigger_id}}" }]
        """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        chmod(folder.path, 0o755)
        chmod(folder.appendingPathComponent("herald.yaml").path, 0o644)
        return folder
    }

    @Test func twoContainersShareTheWork() async throws {
        let cluster = try #require(PostgresTestCluster.shared)
        let dsn = try cluster.createDatabase()
        let database = try #require(dsn.split(separator: "=").last.map(String.init))
        let ports = [try SmtpTestServer.freePort(), try SmtpTestServer.freePort()]
        let names = [Podman.uniqueName("herald-pg-a"), Podman.uniqueName("herald-pg-b")]
        let volumes = names.map { $0 + "-state" }
        defer { Podman.remove(containers: names, volumes: volumes) }
        let socket = ["--volume", "\(cluster.directory):\(Self.socketFolder)"]
        let configs = try ports.map { try Self.configFolder(port: $0, database: database) }

        let migrate = try await Podman.run(
            ["run", "--rm", "--network", "none", "--read-only", "--volume", "\(configs[0].path):/etc/herald:ro"]
                + socket + [Podman.image, "store", "migrate"])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("applied schema version"), "\(migrate.stdout)")
        for index in 0..<2 {
            try await Podman.succeed(
                [
                    "run", "--detach", "--name", names[index], "--read-only", "--network", "host",
                    "--health-interval", "disable", "--volume", "\(configs[index].path):/etc/herald:ro",
                    "--volume", "\(volumes[index]):/var/lib/herald",
                ] + socket + [Podman.image])
        }
        let addresses = ports.map { "127.0.0.1:\($0)" }
        for index in 0..<2 { try await ContainerWait.ready(addresses[index], container: names[index]) }

        // Kratos' retry of one call, sent to the other instance, is recognised there.
        let body = try Integration.example("registration-after.json")
        func post(_ instance: Int, trigger: String) throws -> RawHTTPClient.Response {
            try RawHTTPClient(address: addresses[instance]).request(
                "POST", "/v1/events/registration/after", headers: [("Ory-Webhook-Trigger-ID", trigger)], body: body)
        }
        let first = try post(0, trigger: "trigger-0")
        #expect(first.status == 202 && first.text.contains(#""duplicate":false"#), "\(first.text)")
        let retry = try post(1, trigger: "trigger-0")
        #expect(retry.status == 202 && retry.text.contains(#""duplicate":true"#), "\(retry.text)")
        for index in 1..<5 { #expect(try post(0, trigger: "trigger-\(index)").status == 202) }

        // The first instance stops before its jobs are due; the second delivers them.
        try await Podman.succeed(["stop", "--time", "30", names[0]])
        #expect(try await Podman.inspect(names[0], "{{.State.ExitCode}}") == "0")
        var outboxes: [URL] = []
        for volume in volumes {
            outboxes.append(try await Podman.volumeFolder(volume).appendingPathComponent("outbox"))
        }
        func delivered(_ instance: Int) -> Int { Integration.files(in: outboxes[instance], suffix: ".eml").count }
        let done = try await Integration.eventually(timeout: .seconds(60)) { delivered(0) + delivered(1) == 5 }
        #expect(done, "delivered: \(delivered(0)) by the first, \(delivered(1)) by the second")
        #expect(delivered(1) >= 1, "the second instance delivered none of the first one's jobs")
        // Delivered jobs leave the database once their outcome is recorded: herald queue, run in
        // the container as an operator would (kubectl exec), finds none left, and no dead letter.
        func entries(_ section: String) async throws -> [JSON]? {
            let listed = try await Podman.run(["exec", names[1], "herald", section, "list", "--json"])
            guard listed.status == 0, let document = try? JSONDocument(parsing: Array(listed.stdout.utf8)) else {
                return nil
            }
            return document.root.json[section == "queue" ? "jobs" : "dead_letters"]?.array
        }
        let emptied = try await Podman.eventually { try await entries("queue") == [] }
        let left = try await entries("queue")
        #expect(emptied, "still queued: \(String(describing: left))")
        let dead = try await entries("dead")
        #expect(dead == [])

        try await Podman.succeed(["stop", "--time", "30", names[1]])
        #expect(try await Podman.inspect(names[1], "{{.State.ExitCode}}") == "0")
    }
}
