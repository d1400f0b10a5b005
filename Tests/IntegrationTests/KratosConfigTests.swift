import Foundation
import HeraldTestSupport
import Testing

/// `herald kratos-config` read as Kratos reads it: the YAML parsed, every hook body evaluated with
/// go-jsonnet over every reference payload, and posted to the real daemon at the hook's URL with
/// the hook's auth (`scripts/kratos-emulate`).
@Suite struct KratosConfigTests {
    static let key = "0123456789abcdef-ingress-key"

    /// Every flow event to an outbox (its subject names the event and the method Herald derived),
    /// a deny on registration (pre-persist) and on login.before, and a courier route.
    static func config(auth: String) -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress:
          auth:
            - \(auth)
        actions:
          box: { plugin: outbox, directory: outbox, from: hello@example.com }
        routes:
          - name: no-example-addresses
            events: [registration.after]
            when: { identity.traits.email: { suffix: "@example.com" } }
            do: [{ deny: { message: "Please use another address.", field: "#/traits/email", id: 4000901 } }]
          - name: no-login-for-browsers
            events: [login.before]
            when: { "request_headers.User-Agent[0]": { prefix: "Mozilla" } }
            do: [{ deny: { message: "Sign-in is closed today.", status: 403 } }]
          - name: everything
            events: ["*.*"]
            do:
              - action: box
                to: "audit@example.com"
                subject: "{{event.name}} {{event.method | default: 'none'}}"
                text: "{{event.id}}"
        """
    }

    /// Issue 8 point 1: every generated hook, called with bodies as Kratos sends them (no
    /// flow.active for password, passkey, webauthn, profile, …), gives the route its method.
    @Test(.enabled(if: KratosEmulator.available, KratosEmulator.missing))
    func kratosCanCallEveryHookItIsGiven() async throws {
        let (herald, address) = try await Integration.serve(
            Self.config(auth: "api_key: { header: X-Herald-Key, value: \"\(Self.key)\" }"))
        let records = try await KratosEmulator.run(
            herald: herald, address: address, kratosConfig: ["--kratos-version", "26.2"])

        var byLocation: [String: [[String: Any]]] = [:]
        for record in records { byLocation[record["location"] as? String ?? "", default: []].append(record) }
        let methods = [
            "registration": ["password", "webauthn", "passkey", "oidc", "code"],
            "login": ["password", "webauthn", "passkey", "oidc", "code", "totp", "lookup_secret"],
            "settings": ["password", "totp", "oidc", "webauthn", "passkey", "lookup_secret", "profile"],
        ]
        var expected = ["verification.after.hooks", "recovery.after.hooks", "courier"]
        expected += ["registration", "login", "verification", "recovery", "settings"].map { "\($0).before.hooks" }
        for (flow, list) in methods { expected += list.map { "\(flow).after.\($0).hooks" } }
        #expect(Set(byLocation.keys) == Set(expected))

        // Every reference payload was sent somewhere.
        let payloads = try FileManager.default.contentsOfDirectory(atPath: ReferenceFiles.kratosPayloads)
            .filter { $0.hasSuffix(".json") }
        #expect(Set(records.compactMap { $0["payload"] as? String }) == Set(payloads))

        for record in records {
            let location = record["location"] as? String ?? ""
            let status = record["status"] as? Int
            let outcome = record["kratos"] as? String
            let payload = record["payload"] as? String ?? ""
            if payload == "registration-after-prepersist.json" {
                // The pre-persist hook is synchronous and parsed: Kratos shows the message on the field.
                #expect(status == 400, "\(record)")
                #expect(outcome == "denied", "\(record)")
                let group = (record["messages"] as? [[String: Any]])?.first
                #expect(group?["instance_ptr"] as? String == "#/traits/email")
            } else if location == "login.before.hooks" {
                // Kratos cannot show a login.before denial on a form: it ends on an error page.
                #expect(status == 403, "\(record)")
                #expect(outcome == "error-page", "\(record)")
            } else if location == "courier" {
                #expect(status == 202, "\(record)")
                #expect(outcome == "sent", "\(record)")
            } else if location.hasSuffix(".before.hooks") {
                // Before hooks of flows without deny routes only plan jobs: background.
                #expect(status == 202, "\(record)")
                #expect(outcome == "background", "\(record)")
            } else {
                #expect(status == 202, "\(record)")
                #expect(outcome == "background", "\(record)")
                #expect((record["answer"] as? String)?.contains(#""jobs":1"#) == true, "\(record)")
            }
        }
        #expect(!herald.output.contains("request refused"))

        // Each per-method hook's event got its list's method; the others what the body says.
        let outbox = herald.directory.appendingPathComponent("outbox")
        let jobs = records.filter { ($0["answer"] as? String)?.contains(#""jobs":1"#) == true }.count
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == jobs })
        let subjects = Set(
            try Integration.files(in: outbox, suffix: ".eml").compactMap { file -> String? in
                let text = try String(contentsOf: file, encoding: .utf8)
                return text.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") }.map { String($0.dropFirst(9)) }
            })
        for (flow, list) in methods {
            for method in list {
                #expect(subjects.contains("\(flow).after \(method)"), "\(flow).after \(method): \(subjects)")
            }
        }
        #expect(subjects.contains("verification.after code"))
        #expect(subjects.contains("registration.before none"))
        try await herald.stop()
    }

    @Test(
        .enabled(if: KratosEmulator.available, KratosEmulator.missing),
        arguments: [
            "basic_auth: { user: kratos, password: \"\(key)\" }",
            "api_key: { cookie: herald_key, value: \"\(key)\" }",
        ])
    func everyCredentialKindBecomesKratosAuth(auth: String) async throws {
        let (herald, address) = try await Integration.serve(Self.config(auth: auth))
        let records = try await KratosEmulator.run(herald: herald, address: address, only: "login.after.oidc.hooks")
        #expect(records.count == 1)
        #expect(records.first?["status"] as? Int == 202, "\(records)")
        try await herald.stop()
    }

    @Test func secretsArePlaceholdersUnlessAskedFor() throws {
        let directory = try makeTemporaryDirectory()
        try Self.config(auth: "api_key: { header: X-Herald-Key, value: \"${env:KEY}\" }")
            .replacingOccurrences(of: "127.0.0.1:0", with: "0.0.0.0:4470")
            .write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let plain = try HeraldProcess.run(
            ["kratos-config", "--config", "herald.yaml"], in: directory, environment: ["KEY": Self.key])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!plain.stdout.contains(Self.key))
        #expect(plain.stdout.contains(#"value: "<ingress key: see ingress.auth in herald.yaml>", in: header"#))
        #expect(
            plain.stdout.contains(
                #"url: "http://127.0.0.1:4470/v1/events/registration/after?mode=decide&method=password""#))
        #expect(plain.stdout.contains(#"url: "http://127.0.0.1:4470/v1/courier""#))
        let secret = try HeraldProcess.run(
            ["kratos-config", "--config", "herald.yaml", "--with-secrets", "--url", "https://herald.example.com/h/"],
            in: directory, environment: ["KEY": Self.key])
        #expect(secret.status == 0, "\(secret.stderr)")
        #expect(secret.stdout.contains(#"value: "\#(Self.key)", in: header"#))
        #expect(secret.stdout.contains(#"url: "https://herald.example.com/h/v1/events/login/after?method=password""#))
    }

    /// `etc/kratos/kratos-hooks.yaml` is the output for the shipped `etc/herald/herald.yaml`, so the
    /// snippet operators read is the one the command writes.
    ///
    /// The shipped config reads `${credential:}` secrets; without `--with-secrets` the command
    /// prints placeholders only, so it runs without them (no CREDENTIALS_DIRECTORY here).
    @Test func theShippedKratosSnippetIsUpToDate() throws {
        let config = SystemTools.repository.appendingPathComponent("etc/herald/herald.yaml").path
        let result = try HeraldProcess.run(["kratos-config", "--config", config], environment: [:])
        #expect(result.status == 0, "\(result.stderr)")
        let generated = result.stdout.replacingOccurrences(of: config, with: "/etc/herald/herald.yaml")
        let shipped = try String(
            contentsOf: SystemTools.repository.appendingPathComponent("etc/kratos/kratos-hooks.yaml"), encoding: .utf8)
        #expect(
            generated == shipped,
            "regenerate it: herald kratos-config --config etc/herald/herald.yaml, with the path as /etc/herald/herald.yaml"
        )
        #expect(shipped.contains("courier:\n  delivery_strategy: http\n"))
        #expect(shipped.contains("registration/after?mode=decide"))
    }

    @Test func aListenerKratosCannotCallNeedsURL() throws {
        let directory = try makeTemporaryDirectory()
        let cases: [(listen: String, arguments: [String], message: String)] = [
            ("unix:/run/herald.sock", [], "the first listener is the unix socket /run/herald.sock"),
            ("127.0.0.1:0", [], "the first listener has port 0"),
            ("127.0.0.1:4470", ["--url", "ftp://x"], "--url must be an http or https URL"),
            ("127.0.0.1:4470", ["--bogus"], "unknown option '--bogus'"),
        ]
        for (listen, arguments, message) in cases {
            try Integration.outboxConfig().replacingOccurrences(of: "127.0.0.1:0", with: listen)
                .write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
            let result = try HeraldProcess.run(["kratos-config", "--config", "herald.yaml"] + arguments, in: directory)
            #expect(result.status == 2, "\(listen) \(arguments)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
    }
}

/// Runs `scripts/kratos-emulate` (Python, PyYAML and go-jsonnet: `scripts/setup --ops`).
enum KratosEmulator {
    static let missing: Comment = "python3 with PyYAML and gojsonnet is needed: run scripts/setup --ops"

    /// True when `python3` on the test's PATH can import PyYAML and go-jsonnet.
    static let available = Integration.pythonCanImport("yaml", "_gojsonnet")

    /// Writes `herald kratos-config --url http://ADDRESS --with-secrets` for the daemon's config and
    /// lets the emulator call every hook with the reference payloads; one record per call.
    static func run(
        herald: HeraldProcess, address: String, only: String? = nil, kratosConfig: [String] = [],
        emulator: [String] = []
    ) async throws -> [[String: Any]] {
        let generated = try HeraldProcess.run(
            ["kratos-config", "--config", "herald.yaml", "--url", "http://\(address)", "--with-secrets"] + kratosConfig,
            in: herald.directory)
        #expect(generated.status == 0, "\(generated.stderr)")
        let file = herald.directory.appendingPathComponent("kratos.yaml")
        try generated.stdout.write(to: file, atomically: true, encoding: .utf8)
        let script = SystemTools.repository.appendingPathComponent("scripts/kratos-emulate").path
        var arguments = [script, file.path, ReferenceFiles.kratosPayloads]
        if let only { arguments += ["--only", only] }
        arguments += emulator
        let result = try await SystemTools.run(
            "/usr/bin/env", ["python3"] + arguments, environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0, "\(result.output)")
        return result.output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }
}
