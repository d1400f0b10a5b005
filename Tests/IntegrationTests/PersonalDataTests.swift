import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `herald forget` and `herald export` (issue 21) against the real binary: on a running daemon
/// (the spool through its control socket; PostgreSQL directly) and a stopped one, with the
/// outbox's files; afterwards the state directory holds not one byte of the person's address.
@Suite struct PersonalDataTests {
    static let jane = (email: "jane.doe@example.com", identity: "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20")
    static let bob = (email: "bob.stone@example.net", identity: "0b0b0b0b-2b6d-4c8e-9f1a-3d5b7c9e1f20")

    private func config(baseURL: String) -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress: { insecure_no_auth: true }
        delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h } }
        actions:
          mail: { plugin: mandrill, api_key: "${env:MANDRILL_KEY}", base_url: "\(baseURL)", from: hello@example.com }
          box: { plugin: outbox, from: hello@example.com }
        routes:
          - name: welcome
            events: [registration.after]
            do:
              - { action: mail, template: welcome, to: "{{recipient}}" }
              - { action: box, to: "{{recipient}}", subject: "Welcome", text: "Hello {{identity.traits.name.first}}" }
          - name: later
            events: [registration.after]
            delay: 1h
            do: [{ action: box, to: "{{recipient}}", subject: "Still there?", text: "a day later" }]
        """
    }

    /// The example registration, made about `person`.
    private func registration(_ person: (email: String, identity: String)) throws -> [UInt8] {
        let text = String(decoding: try Integration.example("registration-after.json"), as: UTF8.self)
            .replacingOccurrences(of: Self.jane.email, with: person.email)
            .replacingOccurrences(of: Self.jane.identity, with: person.identity)
        return Array(text.utf8)
    }

    /// Every file under `directory` that holds `text` (case-insensitively).
    private func filesHolding(_ text: String, under directory: URL) -> [String] {
        let needle = Data(text.lowercased().utf8)
        var found: [String] = []
        let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard let data = try? Data(contentsOf: url) else { continue }
            let lowered = Data(data.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 })
            if lowered.range(of: needle) != nil { found.append(url.path) }
        }
        return found
    }

    private func json(_ result: HeraldProcess.Result) throws -> JSON {
        #expect(result.status == 0, "\(result.stderr)")
        return try JSON(parsing: result.stdout)
    }

    @Test(arguments: StoreKind.available)
    func forgetAndExportOnARunningAndAStoppedDaemon(store: StoreKind) async throws {
        let server = try MandrillTestServer(keys: [QueueCommandTests.key], templates: ["welcome"])
        defer { server.stop() }
        try server.start()
        let (daemon, address) = try await Integration.serve(
            try store.prepare(config(baseURL: try #require(server.baseURL))),
            environment: ["MANDRILL_KEY": "md-wrong-key-0123456789"])
        let directory = daemon.directory
        let state = directory.appendingPathComponent("state")
        let outbox = state.appendingPathComponent("outbox")
        let herald = QueueCLI(store: store, directory: directory)
        for (index, person) in [Self.jane, Self.bob].enumerated() {
            let response = try RawHTTPClient(address: address).request(
                "POST", "/v1/events/registration/after", headers: [("Ory-Webhook-Trigger-ID", "t-\(index)")],
                body: try registration(person))
            #expect(response.status == 202)
        }
        // Each: a dead letter (the wrong key), a welcome in the outbox, a mail an hour later.
        #expect(try await Integration.eventually { try herald.ids("dead").count == 2 })
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 2 })
        #expect(try herald.ids("queue").count == 2)

        let export = try json(try herald("export", "--email", "Jane.Doe@example.com"))
        #expect(export["jobs"]?.array?.count == 1 && export["dead_letters"]?.array?.count == 1)
        #expect(export["files"]?.array?.count == 1)
        #expect(export["files"]?.array?.first?["eml"]?.string?.contains(Self.jane.email) == true)
        #expect(!export.description.contains(Self.bob.email))

        // Before: her address is in the outbox, and on the local store in the spool's segments.
        #expect(filesHolding(Self.jane.email, under: state).count >= (store == .local ? 2 : 1))
        let offset = daemon.outputLength
        let forget = try herald("forget", "--email", Self.jane.email)
        #expect(forget.status == 0, "\(forget.stderr)")
        #expect(forget.stdout.contains("forgot: 1 queued job(s), 1 dead letter(s), 1 file(s)"), "\(forget.stdout)")
        if store == .local {
            // The running daemon did it and wrote the audit line: a digest, no address.
            let line = try await daemon.waitForLog("forgot a person", after: offset)
            #expect(line.contains("subject_digest=") && !line.lowercased().contains("jane"), "\(line)")
        } else {
            #expect(forget.stderr.contains("forgot a person") && !forget.stderr.lowercased().contains("jane"))
        }
        #expect(filesHolding(Self.jane.email, under: state).isEmpty, "\(filesHolding(Self.jane.email, under: state))")
        #expect(filesHolding(Self.bob.email, under: state).count >= 2)
        #expect(try herald.ids("queue").count == 1 && herald.ids("dead").count == 1)
        let empty = try json(try herald("export", "--email", Self.jane.email))
        #expect(empty["jobs"]?.array?.isEmpty == true && empty["files"]?.array?.isEmpty == true)

        // Stopped: the command opens the store itself (with the configuration, for the outbox).
        #expect(try await daemon.stop() == 0)
        let options = ["--config", "herald.yaml"]
        // Bob's identity id is in his Mandrill job's metadata only; his outbox mail names his
        // address alone: by identity, the dead letter; by address, the rest.
        let byIdentity = try json(
            try HeraldProcess.run(["forget", "--identity", Self.bob.identity, "--json"] + options, in: directory))
        #expect(byIdentity["dead_letters"]?.int == 1 && byIdentity["jobs"]?.int == 0, "\(byIdentity)")
        let byAddress = try json(
            try HeraldProcess.run(["forget", "--email", Self.bob.email, "--json"] + options, in: directory))
        #expect(byAddress["jobs"]?.int == 1 && byAddress["files"]?.int == 1, "\(byAddress)")
        #expect(filesHolding(Self.bob.email, under: state).isEmpty, "\(filesHolding(Self.bob.email, under: state))")
        #expect(try herald.ids("queue").isEmpty && herald.ids("dead").isEmpty)
    }

    @Test func badRequestsAreUsageErrors() throws {
        let directory = try makeTemporaryDirectory()
        for arguments in [
            ["forget"], ["forget", "--identity", "not-a-uuid"], ["export", "--email", "nobody"],
            ["forget", "--email", "a@b.c", "extra"], ["forget", "--email", "a@b.c", "--route", "x"],
        ] {
            let result = try HeraldProcess.run(arguments + ["--state-dir", "state"], in: directory)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("usage: herald"), "\(arguments): \(result.stderr)")
        }
    }
}
