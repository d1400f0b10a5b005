import Foundation
import HeraldTestSupport
import Testing

/// Issue 8: `herald kratos-config` output that the Kratos versions users run accept, checked with
/// Kratos' own config schema (Tests/Fixtures/kratos-config-schema) by `scripts/kratos-config-validate`,
/// and `--merge` that keeps the user's hooks.
@Suite struct KratosCompatibilityTests {
    static let key = "0123456789abcdef-ingress-key"

    /// Deny routes, job routes on every flow, per-method routes and Kratos' own mail.
    static let config = """
        listen: ["127.0.0.1:4470"]
        state_dir: state
        ingress:
          auth:
            - api_key: { header: X-Herald-Key, value: "${env:INGRESS_KEY}" }
        actions:
          box: { plugin: outbox, directory: outbox, from: hello@example.com }
        routes:
          - name: no-example-addresses
            events: [registration.after, settings.after]
            when: { identity.traits.email: { suffix: "@example.com" } }
            do: [{ deny: { message: "Please use another address.", field: "#/traits/email" } }]
          - name: password-changed
            events: [settings.after]
            methods: [password]
            do: [{ action: box, to: "{{recipient}}", subject: changed, text: x }]
          - name: everything
            events: ["*.after", login.before, "courier.*"]
            do: [{ action: box, to: "audit@example.com", subject: "{{event.name}}", text: x }]
          - name: address-changed
            events: [courier.verifiable_address_changed]
            do: [{ action: box, to: "{{recipient}}", subject: changed, text: x }]
        """

    /// A user's Kratos configuration with hooks of their own, in the global and a method list.
    static let kratos = """
        version: v1.3.1
        dsn: memory
        serve:
          public: { base_url: "http://127.0.0.1:4433/" }
        selfservice:
          default_browser_return_url: http://127.0.0.1:4455/
          methods:
            password: { enabled: true }
          flows:
            registration:
              after:
                password:
                  hooks:
                    - hook: "session"
                    - hook: show_verification_ui
            login:
              after:
                hooks:
                  - hook: require_verified_address
                  - hook: web_hook
                    config: { url: "https://crm.example.com/login", method: POST }
        courier:
          smtp:
            connection_uri: "smtps://user:pass@mail.example.com:465/"
        identity:
          default_schema_id: default
          schemas:
            - id: default
              url: file:///etc/kratos/identity.schema.json
        """

    static let schemas = ReferenceFiles.kratosConfigSchemas

    private func kratosConfig(_ arguments: [String], in directory: URL) throws -> String {
        let result = try HeraldProcess.run(["kratos-config", "--config", "herald.yaml"] + arguments, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// The violations `scripts/kratos-config-validate` finds in `text` against `schema`.
    private func violations(_ text: String, schema: String, fragment: Bool, in directory: URL) async throws -> [String]
    {
        let file = directory.appendingPathComponent("kratos-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let script = SystemTools.repository.appendingPathComponent("scripts/kratos-config-validate").path
        let result = try await SystemTools.run(
            "/usr/bin/env",
            ["python3", script, "\(Self.schemas)/\(schema).config.schema.json", file.path]
                + (fragment ? ["--fragment"] : []),
            environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0 || result.status == 1, "\(result.output)")
        return result.output.split(separator: "\n").map(String.init)
    }

    private func directory() throws -> URL {
        let directory = try makeTemporaryDirectory()
        try Self.config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        try Self.kratos.write(to: directory.appendingPathComponent("kratos.yml"), atomically: true, encoding: .utf8)
        return directory
    }

    /// Each target's output against each schema: valid where it claims to be, refused where a
    /// Kratos of that schema would refuse it (which shows the check can fail).
    @Test(
        .enabled(if: KratosSchemaValidator.available, KratosSchemaValidator.missing),
        arguments: [
            ([], ["v1.1.0", "v1.3.1", "v26.2.0", "main-b86338da"], [String]()),
            (["--kratos-version", "1.2"], ["v1.3.1", "v26.2.0"], ["v1.1.0"]),
            (["--kratos-version", "v25.4.0"], ["v26.2.0", "main-b86338da"], ["v1.3.1"]),
            (["--kratos-version", "main"], ["main-b86338da"], ["v26.2.0"]),
        ])
    func theOutputPassesKratosOwnSchema(arguments: [String], valid: [String], refused: [String]) async throws {
        let directory = try directory()
        for merge in [false, true] {
            let text = try kratosConfig(arguments + (merge ? ["--merge", "kratos.yml"] : []), in: directory)
            for schema in valid {
                let found = try await violations(text, schema: schema, fragment: !merge, in: directory)
                #expect(found.isEmpty, "\(arguments) merge=\(merge) against \(schema): \(found.prefix(3))")
            }
            for schema in refused {
                let found = try await violations(text, schema: schema, fragment: !merge, in: directory)
                #expect(!found.isEmpty, "\(arguments) merge=\(merge) should be refused by \(schema)")
            }
        }
    }

    /// Issue 8 point 5: the user's hooks stay in every list Herald fills (their global login
    /// hooks copied where a method list is new), session last, and merging again changes nothing.
    @Test func mergeKeepsTheUsersHooks() throws {
        let directory = try directory()
        let merged = try kratosConfig(["--merge", "kratos.yml", "--kratos-version", "1.3"], in: directory)
        // Not the secret: placeholders unless --with-secrets.
        #expect(!merged.contains(Self.key))
        #expect(merged.contains("connection_uri: \"smtps://user:pass@mail.example.com:465/\""))
        #expect(merged.contains("  delivery_strategy: http\n"))
        let lines = merged.split(separator: "\n").map(String.init)
        // registration.after.password: show_verification_ui, Herald's decide and plan hooks, session last.
        let password = try #require(lines.firstIndex(of: "    registration:"))
        let hooks = lines[password...].prefix(60).filter { $0.contains("- hook:") || $0.contains("url:") }
        #expect(hooks.first?.contains("- hook: show_verification_ui") == true, "\(hooks)")
        #expect(hooks.contains { $0.contains("registration/after?mode=decide&method=password") })
        let session = try #require(hooks.firstIndex { $0.contains("- hook: ") && $0.contains("session") })
        #expect(hooks[..<session].contains { $0.contains("registration/after?method=password") })
        // login: every method list holds require_verified_address and the user's CRM hook.
        #expect(merged.components(separatedBy: "- hook: require_verified_address").count - 1 == 1 + 7)
        #expect(merged.components(separatedBy: "https://crm.example.com/login").count - 1 == 1 + 7)

        // Merging the merged file again gives the same configuration.
        try merged.write(to: directory.appendingPathComponent("merged.yml"), atomically: true, encoding: .utf8)
        let again = try kratosConfig(["--merge", "merged.yml", "--kratos-version", "1.3"], in: directory)
        func body(_ text: String) -> String {
            text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        }
        #expect(body(again) == body(merged))
    }

    @Test func mergeRefusesWhatItCannotRead() throws {
        let directory = try directory()
        try "dsn: [unclosed\n".write(to: directory.appendingPathComponent("bad.yml"), atomically: true, encoding: .utf8)
        let bad = try HeraldProcess.run(
            ["kratos-config", "--config", "herald.yaml", "--merge", "bad.yml"], in: directory)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("cannot merge into bad.yml"))
        let missing = try HeraldProcess.run(
            ["kratos-config", "--config", "herald.yaml", "--merge", "nope.yml"], in: directory)
        #expect(missing.status == 1)
        let version = try HeraldProcess.run(
            ["kratos-config", "--config", "herald.yaml", "--kratos-version", "1.0"], in: directory)
        #expect(version.status == 2)
        #expect(version.stderr.contains("older than Herald supports"))
    }
}

/// `scripts/kratos-config-validate` needs python3 with PyYAML and jsonschema (`scripts/setup --ops`).
enum KratosSchemaValidator {
    static let missing: Comment = "python3 with PyYAML and jsonschema is needed: run scripts/setup --ops"

    static let available = Integration.pythonCanImport("yaml", "jsonschema", "referencing")
}
