import HeraldConfig
import HeraldCore
import HeraldTestSupport
import Testing

/// `privacy_api:` (issue 21): off by default; on only with credentials of its own.
@Suite struct PrivacyAPIConfigTests {
    private let ingress = """
        ingress:
          auth: [{ api_key: { header: X-Herald-Key, value: "kratos-password-123" } }]
        """

    private func load(_ yaml: String) throws -> ConfigLoadResult {
        try loadConfiguration(ingress + "\n" + recordingRoute + "\n" + yaml + "\n")
    }

    private func messages(_ result: ConfigLoadResult) -> [String] {
        result.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
    }

    @Test func offByDefaultAndOnWithItsOwnCredentials() throws {
        let off = try load("")
        #expect(off.configuration != nil && off.configuration?.privacyAPI == nil, "\(messages(off))")
        let on = try load(
            #"privacy_api: { auth: [{ api_key: { header: X-Privacy, value: "privacy-key-0123456789" } }] }"#)
        let count = on.configuration?.privacyAPI?.count
        #expect(count == 1)
    }

    @Test func itNeedsCredentialsAndNeverKratosOnes() throws {
        let missing = try load("privacy_api: {}")
        #expect(messages(missing).contains { $0.hasPrefix("9:14 ") && $0.contains("'auth'") }, "\(messages(missing))")
        let empty = try load("privacy_api: { auth: [] }")
        #expect(
            messages(empty).contains("9:22 'privacy_api.auth' needs at least one credential (api_key or basic_auth)"))
        let shared = try load(
            #"privacy_api: { auth: [{ basic_auth: { user: dpo, password: "kratos-password-123" } }] }"#)
        #expect(shared.configuration == nil)
        #expect(messages(shared).contains { $0.hasPrefix("9:22 privacy_api needs credentials of its own") })
        let short = try load(#"privacy_api: { auth: [{ api_key: { header: X-Privacy, value: "short" } }] }"#)
        #expect(messages(short).contains { $0.contains("too short") })
    }
}
