import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `herald queue|dead list|show|retry|drop` against the real binary, on every store: on the local
/// spool of a running daemon (through its control socket) and of a stopped one (directly); on
/// PostgreSQL, on the database (directly, whether an instance runs or not).
@Suite struct QueueCommandTests {
    static let key = "md-right-key-0123456789"

    private func config(baseURL: String) -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress: { insecure_no_auth: true }
        delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h } }
        actions:
          mail: { plugin: mandrill, api_key: "${env:MANDRILL_KEY}", base_url: "\(baseURL)", from: hello@example.com }
          box: { plugin: outbox, directory: outbox, from: hello@example.com }
        routes:
          - name: welcome
            events: [registration.after]
            do: [{ action: mail, template: welcome, to: "{{recipient}}" }]
          - name: later
            events: [recovery.after]
            delay: 1h
            do: [{ action: box, to: "{{recipient}}", subject: "Still there?", text: "a day later" }]
        """
    }

    /// A daemon whose Mandrill key is wrong (so registrations become dead letters) and whose
    /// recovery mails wait an hour, and the queue commands for its store.
    private func start(_ server: MandrillTestServer, store: StoreKind, extra: String = "") async throws
        -> (HeraldProcess, String, QueueCLI)
    {
        try server.start()
        let baseURL = try #require(server.baseURL)
        let (daemon, address) = try await Integration.serve(
            try store.prepare(config(baseURL: baseURL) + extra),
            environment: ["MANDRILL_KEY": "md-wrong-key-0123456789"])
        return (daemon, address, QueueCLI(store: store, directory: daemon.directory))
    }

    private func post(_ address: String, _ flow: String, trigger: String) throws {
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/\(flow)/after", headers: [("Ory-Webhook-Trigger-ID", trigger)],
            body: try Integration.example("\(flow)-after.json"))
        #expect(response.status == 202)
    }

    @Test(arguments: StoreKind.available)
    func queueAndDeadLettersOfARunningDaemon(store: StoreKind) async throws {
        let server = try MandrillTestServer(keys: [Self.key], templates: ["welcome"])
        defer { server.stop() }
        let (daemon, address, herald) = try await start(server, store: store)
        let directory = daemon.directory
        try post(address, "recovery", trigger: "r-1")
        try post(address, "registration", trigger: "g-1")
        try await daemon.waitForLog("moved to dead letters")

        let list = try herald("queue", "list")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(
            list.stdout.contains("ROUTE") && list.stdout.contains("later") && list.stdout.contains("recovery.after"))
        #expect(list.stdout.contains("in 59m") || list.stdout.contains("in 1h"))
        let queued = try #require(try herald.ids("queue").first)

        let show = try herald("queue", "show", queued)
        #expect(show.status == 0)
        #expect(show.stdout.contains("queued job \(queued)") && show.stdout.contains("\"text\": \"a day later\""))

        // Run now: the daemon takes it at once (and the command knows one runs).
        let retry = try herald("queue", "retry", queued)
        #expect(retry.status == 0 && retry.stdout.contains("runs now"), "\(retry.stderr)")
        #expect(!retry.stdout.contains("when herald serve starts"), "\(retry.stdout)")
        let outbox = directory.appendingPathComponent("outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        #expect(try herald("queue", "list").stdout.contains("the queue is empty"))

        // Drop: the job is gone and is never performed.
        try post(address, "recovery", trigger: "r-2")
        let second = try #require(try herald.ids("queue").first)
        let drop = try herald("queue", "drop", second, "--json")
        #expect(drop.status == 0 && drop.stdout.contains("\"result\": \"dropped\""))
        #expect(try herald.ids("queue").isEmpty)

        // Dead letters keep the reason, the attempts and the last answer.
        let deadList = try herald("dead", "list")
        #expect(deadList.status == 0 && deadList.stdout.contains("Invalid_Key") && deadList.stdout.contains("welcome"))
        let dead = try #require(try herald.ids("dead").first)
        let deadShow = try herald("dead", "show", dead)
        #expect(deadShow.stdout.contains("dead letter \(dead)") && deadShow.stdout.contains("last answer"))
        #expect(deadShow.stdout.contains("\"template_name\"") || deadShow.stdout.contains("\"template\""))
        let wrongPlace = try herald("queue", "show", dead)
        #expect(wrongPlace.status == 2 && wrongPlace.stderr.contains("is a dead letter"))

        // Once the key is right, a retried dead letter is delivered.
        server.configure { $0.keys.insert("md-wrong-key-0123456789") }
        let revive = try herald("dead", "retry", dead)
        #expect(revive.status == 0 && revive.stdout.contains("back in the queue"), "\(revive.stderr)")
        #expect(try await Integration.eventually { server.requests.count == 2 })
        try await daemon.waitForLog("msg=\"job delivered\" job=\(dead)")
        #expect(try herald.ids("dead").isEmpty)

        // Dropping a dead letter.
        server.configure { $0.keys.remove("md-wrong-key-0123456789") }
        try post(address, "registration", trigger: "g-2")
        #expect(try await Integration.eventually { try !herald.ids("dead").isEmpty })
        let another = try #require(try herald.ids("dead").first)
        #expect(try herald("dead", "drop", another).stdout.contains("dropped"))
        #expect(try herald.ids("dead").isEmpty)

        let unknown = try herald("dead", "show", "01a21e21-e1b2-715a-a352-0d0f2bdc6988")
        #expect(unknown.status == 2 && unknown.stderr.contains("no dead letter"))
        try await daemon.stop()
        if store == .local {
            #expect(
                !FileManager.default.fileExists(atPath: directory.appendingPathComponent("state/control.sock").path))
        }
    }

    /// Fuzzing finding: remote and event text reached the operator's terminal raw. `dead show`
    /// and `dead list` print control characters as escapes, whatever the job holds.
    @Test(arguments: StoreKind.available)
    func controlCharactersAreEscapedOnTheTerminal(store: StoreKind) async throws {
        let server = try MandrillTestServer(keys: [Self.key], templates: ["welcome"])
        defer { server.stop() }
        let (daemon, address, herald) = try await start(server, store: store)
        let body = String(decoding: try Integration.example("registration-after.json"), as: UTF8.self)
            .replacingOccurrences(of: "jane.doe@example.com", with: "jane\u{9B}2Jdoe@example.com")
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", headers: [("Ory-Webhook-Trigger-ID", "esc-1")],
            body: Array(body.utf8))
        #expect(response.status == 202)
        try await daemon.waitForLog("moved to dead letters")
        let dead = try #require(try herald.ids("dead").first)
        for output in [
            try herald("dead", "show", dead).stdout,
            try herald("dead", "list").stdout,
        ] {
            let controls = output.unicodeScalars.filter { $0 != "\n" && $0.isControlCharacter }
            #expect(controls.isEmpty, "\(controls.map(\.value)) in \(output.escapingControlCharacters)")
        }
        #expect(
            try herald("dead", "show", dead).stdout.contains(
                #""email": "jane\u{9B}2Jdoe@example.com""#))
        #expect(try await daemon.stop() == 0)
    }

    /// Issue 9: filters for list, and dead retry of many at once, with a dry run first.
    @Test(arguments: StoreKind.available)
    func deadLettersAreFilteredAndRetriedTogether(store: StoreKind) async throws {
        let server = try MandrillTestServer(keys: [Self.key], templates: ["welcome"])
        defer { server.stop() }
        let (daemon, address, herald) = try await start(
            server, store: store,
            extra: """

                  - name: sign-in
                    events: [login.after]
                    do: [{ action: mail, template: welcome, to: "{{recipient}}" }]
                """)
        try post(address, "registration", trigger: "g-1")
        try post(address, "registration", trigger: "g-2")
        try post(address, "login", trigger: "l-1")
        #expect(try await Integration.eventually { try herald.ids("dead").count == 3 })

        let welcome = try herald("dead", "list", "--route", "welcome", "--json")
        #expect(welcome.status == 0, "\(welcome.stderr)")
        let answer = try JSONDocument(parsing: Array(welcome.stdout.utf8)).root.json
        #expect(answer["total"]?.int == 2)
        #expect(answer["dead_letters"]?.array?.allSatisfy { $0["route"]?.string == "welcome" } == true)
        #expect(try herald("dead", "list", "--action", "nope").stdout.contains("no dead letters"))
        #expect(try herald("dead", "list", "--since", "1h", "--json").stdout.contains("\"total\": 3"))

        let dry = try herald("dead", "retry", "--route", "welcome", "--dry-run")
        #expect(
            dry.status == 0 && dry.stdout.hasPrefix("2 dead letters would be put back in the queue"), "\(dry.stdout)")
        #expect(try herald.ids("dead").count == 3)

        #expect(try herald("dead", "retry").status == 2)
        #expect(try herald("dead", "retry", "--since", "soon").status == 2)
        #expect(try herald("queue", "retry", "--all").status == 2)

        server.configure { $0.keys.insert("md-wrong-key-0123456789") }
        let some = try herald("dead", "retry", "--route", "welcome")
        #expect(some.status == 0 && some.stdout.hasPrefix("2 dead letters back in the queue"), "\(some.stdout)")
        #expect(try await Integration.eventually { try herald.ids("dead").count == 1 })
        let rest = try herald("dead", "retry", "--all")
        #expect(rest.stdout.hasPrefix("1 dead letter back in the queue"), "\(rest.stdout)")
        #expect(try await Integration.eventually { try herald.ids("dead").isEmpty })
        #expect(try await Integration.eventually { try herald.ids("queue").isEmpty })
        #expect(try await daemon.stop() == 0)
    }

    /// No daemon runs: on the local store the commands open the spool file themselves; on
    /// PostgreSQL they work on the database as always, and no instance takes the jobs meanwhile.
    @Test(arguments: StoreKind.available)
    func queueAndDeadLettersOfAStoppedDaemon(store: StoreKind) async throws {
        let server = try MandrillTestServer(keys: [Self.key], templates: ["welcome"])
        defer { server.stop() }
        let (daemon, address, herald) = try await start(server, store: store)
        let directory = daemon.directory
        try post(address, "recovery", trigger: "r-1")
        try post(address, "recovery", trigger: "r-2")
        try post(address, "registration", trigger: "g-1")
        try await daemon.waitForLog("moved to dead letters")
        #expect(try await daemon.stop() == 0)

        let queued = try herald.ids("queue")
        #expect(queued.count == 2)
        let show = try herald("queue", "show", queued[0], "--json")
        #expect(show.status == 0 && show.stdout.contains("\"route\": \"later\""))
        #expect(try herald("queue", "drop", queued[1]).status == 0)
        let dead = try #require(try herald.ids("dead").first)
        #expect(try herald("dead", "show", dead).stdout.contains("Invalid_Key"))
        let revive = try herald("dead", "retry", dead)
        #expect(revive.status == 0 && revive.stdout.contains("when herald serve starts"), "\(revive.stderr)")
        #expect(try herald.ids("queue").sorted() == [queued[0], dead].sorted())
        #expect(try herald.ids("dead").isEmpty)
        let retry = try herald("queue", "retry", queued[0])
        #expect(retry.status == 0 && retry.stdout.contains("when herald serve starts"), "\(retry.stderr)")

        // The next start performs what the commands changed: both jobs run now.
        server.configure { $0.keys.insert("md-wrong-key-0123456789") }
        let restarted = try HeraldProcess.start(
            ["serve", "--config", "herald.yaml"], in: directory,
            environment: ["MANDRILL_KEY": "md-wrong-key-0123456789"])
        try await restarted.waitForLog("msg=\"job delivered\" job=\(dead)")
        let outbox = directory.appendingPathComponent("outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        #expect(Integration.files(in: outbox, suffix: ".eml").first?.lastPathComponent == "\(queued[0]).eml")
        try await restarted.stop()
    }

    @Test func usageAndConfigurationErrors() throws {
        let directory = try makeTemporaryDirectory()
        let missing = try HeraldProcess.run(["queue"], in: directory)
        #expect(missing.status == 2 && missing.stderr.contains("missing subcommand"))
        let unknown = try HeraldProcess.run(["dead", "resurrect", "--state-dir", "."], in: directory)
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown subcommand"))
        let badID = try HeraldProcess.run(["queue", "show", "42", "--state-dir", "."], in: directory)
        #expect(badID.status == 2 && badID.stderr.contains("not a job id"))
        let noSpool = try HeraldProcess.run(["queue", "list", "--state-dir", "nowhere"], in: directory)
        #expect(noSpool.status == 1 && noSpool.stderr.contains("no spool in nowhere"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("nowhere").path))
        try "state_dir: [oops]\n".write(
            to: directory.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let badConfig = try HeraldProcess.run(["queue", "list", "--config", "bad.yaml"], in: directory)
        #expect(badConfig.status == 78 && badConfig.stderr.contains("bad.yaml:1:"))
        let help = try HeraldProcess.run(["--help"])
        #expect(help.stdout.contains("queue") && help.stdout.contains("dead"))
        let queueHelp = try HeraldProcess.run(["queue", "--help"])
        #expect(queueHelp.status == 0 && queueHelp.stdout.contains("herald queue show|retry|drop ID"))
    }
}
