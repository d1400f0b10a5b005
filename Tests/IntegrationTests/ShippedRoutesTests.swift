import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The shipped example configuration (`etc/herald/herald.yaml` and `routes.d/`) run by the real
/// binary against the Mandrill-compatible test server: Kratos' courier mail, the deny rules and
/// the account routes do what their comments say, and no code or link reaches the log.
@Suite(.serialized) struct ShippedRoutesTests {
    static let ingressKey = "0123456789abcdef-ingress-key"
    static let mandrillKey = "md-shipped-0123456789"
    static let etc = SystemTools.repository.appendingPathComponent("etc")

    /// Copies `etc/herald` into a temporary directory and points it at the test server, a free
    /// port, a local state directory, debug logging and a fast retry schedule; `edit` then changes
    /// the copy (its herald.yaml text, and the copy's directory for other files).
    static func serve(
        _ server: MandrillTestServer, edit: (inout String, URL) throws -> Void = { _, _ in }
    ) async throws -> (HeraldProcess, String) {
        let directory = try makeTemporaryDirectory()
        let copy = directory.appendingPathComponent("herald")
        try FileManager.default.copyItem(at: etc.appendingPathComponent("herald"), to: copy)
        let credentials = directory.appendingPathComponent("credentials")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        try ingressKey.write(to: credentials.appendingPathComponent("ingress-key"), atomically: true, encoding: .utf8)
        try mandrillKey.write(to: credentials.appendingPathComponent("mandrill-key"), atomically: true, encoding: .utf8)
        let file = copy.appendingPathComponent("herald.yaml")
        var config = try String(contentsOf: file, encoding: .utf8)
        let replacements = [
            (#"listen: ["127.0.0.1:4470"]"#, #"listen: ["127.0.0.1:0"]"#),
            ("state_dir: /var/lib/herald", "state_dir: state"),
            ("directory: /var/lib/herald/outbox", "directory: outbox"),
            ("level: info", "level: debug"),
            ("schedule: [5s, 30s, 2m, 10m, 30m, 1h, 3h, 6h]", "schedule: [200ms]"),
            ("    plugin: mandrill\n", "    plugin: mandrill\n    base_url: \"\(try #require(server.baseURL))\"\n"),
        ]
        for (old, new) in replacements {
            #expect(config.contains(old), "etc/herald/herald.yaml no longer has \(old)")
            config = config.replacingOccurrences(of: old, with: new)
        }
        try edit(&config, copy)
        try config.write(to: file, atomically: true, encoding: .utf8)
        let process = try HeraldProcess.start(
            ["serve", "--config", "herald/herald.yaml"], in: directory,
            environment: ["CREDENTIALS_DIRECTORY": credentials.path])
        return (process, try await process.listeningAddress())
    }

    static func post(_ path: String, _ body: [UInt8], to address: String) throws -> RawHTTPClient.Response {
        try RawHTTPClient(address: address).request(
            "POST", path, headers: [("X-Herald-Key", ingressKey), ("Content-Type", "application/json")], body: body)
    }

    /// The reference courier message turned into `type` with `data` as its template data.
    static func courierMessage(_ type: String, _ data: [String: Any], locale: String = "en-US") throws -> [UInt8] {
        let bytes = try ReferenceFiles.kratosPayload("courier-http-verification_code_valid")
        var root = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        var templateData = try #require(root["template_data"] as? [String: Any])
        for key in ["verification_code", "verification_url"] { templateData[key] = nil }
        templateData.merge(data) { $1 }
        templateData["transient_payload"] = ["locale": locale]
        root["template_data"] = templateData
        root["template_type"] = type
        return Array(try JSONSerialization.data(withJSONObject: root))
    }

    /// Secret values of the courier messages below: none may reach the log.
    static let secrets = [
        "480213", "self-service/verification?code=", "739105", "RECOVERY-LINK-TOKEN-77", "264810", "915377",
        "VERIFY-LINK-TOKEN-42",
    ]

    @Test func kratosMailGoesThroughMandrillTemplatesAndNoCodeReachesTheLog() async throws {
        let templates: Set<String> = [
            "kratos-verification-code", "kratos-verification-link", "kratos-recovery-code", "kratos-recovery-link",
            "kratos-unknown-address", "kratos-login-code", "kratos-login-code-de", "kratos-registration-code",
            "kratos-address-changed",
        ]
        let server = try MandrillTestServer(keys: [Self.mandrillKey], templates: templates)
        try server.start()
        defer { server.stop() }
        let (herald, address) = try await Self.serve(server)

        let recovery = "https://auth.example.com/self-service/recovery?flow=1&token=RECOVERY-LINK-TOKEN-77"
        let verification = "https://auth.example.com/self-service/verification?flow=2&token=VERIFY-LINK-TOKEN-42"
        let messages: [(type: String, data: [String: Any], locale: String, template: String, vars: [String: String])] =
            [
                ("verification_code_valid", [:], "en-US", "kratos-verification-code", [:]),
                (
                    "verification_valid", ["verification_url": verification], "en", "kratos-verification-link",
                    ["URL": verification]
                ),
                ("recovery_code_valid", ["recovery_code": "739105"], "en", "kratos-recovery-code", ["CODE": "739105"]),
                ("recovery_valid", ["recovery_url": recovery], "en", "kratos-recovery-link", ["URL": recovery]),
                ("recovery_code_invalid", [:], "en", "kratos-unknown-address", ["KIND": "recovery_code_invalid"]),
                ("login_code_valid", ["login_code": "264810"], "de-AT", "kratos-login-code-de", ["CODE": "264810"]),
                (
                    "registration_code_valid", ["registration_code": "915377"], "fr", "kratos-registration-code",
                    ["CODE": "915377"]
                ),
                (
                    "verifiable_address_changed", ["changed_at": "2025-06-02T10:00:00Z"], "en",
                    "kratos-address-changed",
                    ["CHANGED_AT": "2025-06-02T10:00:00Z"]
                ),
            ]
        // The reference message exactly as Kratos' courier sends it (function(ctx) ctx).
        let example = try Self.post(
            "/v1/courier", try ReferenceFiles.kratosPayload("courier-http-verification_code_valid"), to: address)
        #expect(example.status == 202)
        #expect(example.text.contains(#""routes":["kratos-verification-code"]"#))
        for message in messages.dropFirst() {
            let response = try Self.post(
                "/v1/courier", try Self.courierMessage(message.type, message.data, locale: message.locale), to: address)
            #expect(response.status == 202, "\(message.type): \(response.text)")
            #expect(response.text.contains(#""jobs":1"#), "\(message.type): \(response.text)")
        }
        #expect(
            try await Integration.eventually {
                herald.output.components(separatedBy: "job delivered").count > messages.count
            })

        let delivered = server.requests.compactMap(\.json).filter {
            templates.contains($0["template_name"]?.string ?? "")
        }
        for message in messages {
            let request = try #require(
                delivered.first { $0["template_name"]?.string == message.template }, "\(message.type)")
            let vars = Dictionary(
                uniqueKeysWithValues: (request["message"]?["global_merge_vars"]?.array ?? []).compactMap { item in
                    item["name"]?.string.map { ($0, item["content"]?.string ?? "") }
                })
            for (name, value) in message.vars { #expect(vars[name] == value, "\(message.type) \(name)") }
            #expect(request["message"]?["track_clicks"] == false, "\(message.type)")
            #expect(request["message"]?["to"]?[0]?["email"] == "jane.doe@example.com")
        }
        let first = try #require(delivered.first { $0["template_name"]?.string == "kratos-verification-code" })
        #expect(first["message"]?["global_merge_vars"]?[0]?["content"] == "480213")
        // kratos-login-code-de existed; every other language fell back to the plain name.
        #expect(herald.output.contains("unknown: kratos-verification-code-en"))

        try await herald.stop()
        for secret in Self.secrets {
            #expect(!herald.output.contains(secret), "the log contains \(secret)")
        }
        #expect(!herald.output.contains(Self.mandrillKey))
    }

    @Test func disposableAddressesAreDeniedBeforeTheIdentityIsStored() async throws {
        let server = try MandrillTestServer(keys: [Self.mandrillKey], templates: ["welcome"])
        try server.start()
        defer { server.stop() }
        let (herald, address) = try await Self.serve(server)
        let payload = String(decoding: try ReferenceFiles.kratosPayload("registration-after-prepersist"), as: UTF8.self)
        let allowed = try Self.post("/v1/events/registration/after?mode=decide", Array(payload.utf8), to: address)
        #expect(allowed.status == 204)
        let disposable = payload.replacingOccurrences(of: "jane.doe@example.com", with: "Jane@Mail.Mailinator.COM")
        let denied = try Self.post("/v1/events/registration/after?mode=decide", Array(disposable.utf8), to: address)
        #expect(denied.status == 400)
        #expect(denied.text.contains(##""instance_ptr":"#/traits/email""##))
        #expect(denied.text.contains("jane@mail.mailinator.com cannot receive our mail for long"))
        let listed = payload.replacingOccurrences(of: "jane.doe@example.com", with: "jane@blocked.invalid")
        let refused = try Self.post("/v1/events/settings/after?mode=decide", Array(listed.utf8), to: address)
        #expect(refused.status == 400)
        #expect(refused.text.contains("4000902"))
        try await herald.stop()
    }

    @Test func registrationSendsTheWelcomeInTheUsersLanguageAndTheNewsletterOptIn() async throws {
        let server = try MandrillTestServer(
            keys: [Self.mandrillKey], templates: ["welcome", "welcome-de", "newsletter-confirm"])
        try server.start()
        defer { server.stop() }
        let (herald, address) = try await Self.serve(server)
        let german = String(decoding: try ReferenceFiles.kratosPayload("registration-after"), as: UTF8.self)
            .replacingOccurrences(of: #""locale": "en-US""#, with: #""locale": "de-DE""#)
        let response = try Self.post("/v1/events/registration/after", Array(german.utf8), to: address)
        #expect(response.status == 202)
        #expect(response.text.contains(#""routes":["welcome","newsletter-opt-in"]"#))
        let known: Set<String> = ["welcome", "welcome-de", "newsletter-confirm"]
        let sent = { server.requests.compactMap { $0.json?["template_name"]?.string }.filter(known.contains) }
        #expect(try await Integration.eventually { sent().count == 2 })
        #expect(Set(sent()) == ["welcome-de", "newsletter-confirm"])
        // OIDC sign-ups are registrations too: the same routes fire.
        let oidc = german.replacingOccurrences(of: #""active": "password""#, with: #""active": "oidc""#)
            .replacingOccurrences(
                of: "5f2c8a9e-1d3b-4e6f-8a0c-2b4d6f8a0c1e", with: "6f2c8a9e-1d3b-4e6f-8a0c-2b4d6f8a0c1e")
        let second = try Self.post("/v1/events/registration/after", Array(oidc.utf8), to: address)
        #expect(second.text.contains(#""routes":["welcome","newsletter-opt-in"]"#), "\(second.text)")
        try await herald.stop()
    }
}
