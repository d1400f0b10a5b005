import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `POST /v1/personal-data/forget` (issue 21, `privacy_api`): what `herald forget` does, for a
/// deletion pipeline, behind credentials of its own; Kratos' ingress key never opens it.
@Suite struct PrivacyAPITests {
    static let ingressKey = "kratos-ingress-key-0123456789"
    static let privacyKey = "privacy-pipeline-key-0123456789"

    private func config(privacy: Bool) -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress:
          auth: [{ api_key: { header: X-Herald-Key, value: "\(Self.ingressKey)" } }]
        \(privacy ? "privacy_api: { auth: [{ api_key: { header: X-Herald-Privacy-Key, value: \"\(Self.privacyKey)\" } }] }" : "")
        actions:
          box: { plugin: outbox, from: hello@example.com }
        routes:
          - name: later
            events: [registration.after]
            delay: 1h
            do: [{ action: box, to: "{{recipient}}", subject: "Still there?", text: "a day later" }]
        """
    }

    private func forget(_ address: String, key: (String, String)?, body: String, method: String = "POST") throws
        -> RawHTTPClient.Response
    {
        try RawHTTPClient(address: address).request(
            method, "/v1/personal-data/forget", headers: key.map { [$0] } ?? [], body: Array(body.utf8))
    }

    @Test func itForgetsBehindItsOwnCredentialsOnly() async throws {
        let (daemon, address) = try await Integration.serve(config(privacy: true))
        let posted = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", headers: [("X-Herald-Key", Self.ingressKey)],
            body: try Integration.example("registration-after.json"))
        #expect(posted.status == 202)
        let herald = QueueCLI(store: .local, directory: daemon.directory)
        #expect(try await Integration.eventually { try herald.ids("queue").count == 1 })

        // Refused before the body is read (the server then closes the connection; without a body
        // the client reads the answer however fast that happens).
        let body = #"{"email": "Jane.Doe@example.com"}"#
        #expect(try forget(address, key: nil, body: "").status == 401)
        #expect(try forget(address, key: ("X-Herald-Key", Self.ingressKey), body: "").status == 401)
        #expect(try forget(address, key: ("X-Herald-Privacy-Key", Self.ingressKey), body: "").status == 401)
        #expect(try herald.ids("queue").count == 1)
        let key = ("X-Herald-Privacy-Key", Self.privacyKey)
        #expect(try forget(address, key: key, body: "", method: "GET").status == 405)
        for bad in ["", "[]", #"{"email": 3}"#, #"{"email": "nobody"}"#, #"{"identity": "x"}"#, "{}"] {
            let response = try forget(address, key: key, body: bad)
            #expect(response.status == 400, "\(bad): \(response.text)")
        }
        #expect(try herald.ids("queue").count == 1)

        let response = try forget(address, key: key, body: body)
        #expect(response.status == 200, "\(response.text)")
        let answer = try JSON(parsing: response.body)
        #expect(answer["jobs"]?.int == 1 && answer["dead_letters"]?.int == 0, "\(answer)")
        #expect(try herald.ids("queue").isEmpty)
        try await daemon.waitForLog("forgot a person")
        // The ingress key still works for Kratos, and only for Kratos.
        #expect(
            try RawHTTPClient(address: address).request(
                "POST", "/v1/events/registration/after", headers: [("X-Herald-Key", Self.ingressKey)],
                body: try Integration.example("registration-after.json")
            ).status == 202)
    }

    @Test func itIsOffUnlessConfigured() async throws {
        let (daemon, address) = try await Integration.serve(config(privacy: false))
        let response = try forget(address, key: ("X-Herald-Key", Self.ingressKey), body: "")
        #expect(response.status == 404 && response.text.contains("privacy_api"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func theIngressKeyIsRefusedAsAPrivacyCredential() throws {
        let directory = try makeTemporaryDirectory()
        let shared = config(privacy: true).replacingOccurrences(of: Self.privacyKey, with: Self.ingressKey)
        try shared.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let check = try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        #expect(check.status == 78)
        #expect(check.stderr.contains("privacy_api needs credentials of its own"), "\(check.stderr)")
    }
}
