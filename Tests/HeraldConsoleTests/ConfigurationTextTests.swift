import Testing

@testable import HeraldConsole

/// The configuration file as the console shows it: no credential, whether read from a secret
/// reference or written in the file itself.
@Suite struct ConfigurationTextTests {
    /// Credentials written in the file as operators do write them (the plugins accept each).
    static let written = """
        actions:
          mail: { plugin: mandrill, api_key: md-WrittenMandrillKey123, from: "noreply@example.com" }
          list: { plugin: mailchimp, api_key: 0123456789abcdef0123456789abcdef-us21, list_id: abc }
          hook:
            plugin: webhook
            url: "https://user:url-password-9876@hooks.example.com/in"
            secrets: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, "whsec_SecondSecretValue1234"]
            headers: { Authorization: "Bearer written-bearer-token", X-Tag: "${env:TAG}" }
          relay: { plugin: smtp, url: "smtp://relay.example.com:587", username: herald, password: smtp-password-1234 }
          tokened: { plugin: webhook, url: "https://hooks.example.com/in?source=x&token=query-token-8642", secrets: [] }
          admin: { plugin: kratos, admin_url: "http://kratos:4434", token: kratos-token-5678 }
          run:
            plugin: exec
            program: /usr/local/bin/notify
            environment: { API_TOKEN: exec-token-2468, LANG: C.UTF-8 }
        store: { postgres: { dsn: "postgresql://herald:dsn-password-1357@db/herald" } }
        privacy_api: { auth: [{ api_key: { header: X-Privacy-Key, value: written-privacy-key-42 } }] }
        tracing: { endpoint: "http://127.0.0.1:4318/v1/traces", headers: { Authorization: "Bearer trace-token-1111" } }
        ingress:
          auth: [{ basic_auth: { user: kratos, password: basic-password-3333 } }]
          mandrill_webhooks: { url: "https://herald.example.com/v1/mandrill/events", keys: [mandrill-hook-key-77] }
        """

    @Test func credentialsWrittenInTheFileAreMasked() throws {
        let configuration = try ConsoleFixture().configuration
        let shown = ConfigurationText.redacted(Self.written, configuration)
        for secret in [
            "md-WrittenMandrillKey123", "0123456789abcdef0123456789abcdef-us21", "url-password-9876",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_SecondSecretValue1234", "written-bearer-token",
            "smtp-password-1234", "kratos-token-5678", "exec-token-2468", "dsn-password-1357",
            "written-privacy-key-42", "trace-token-1111", "basic-password-3333", "mandrill-hook-key-77",
            "query-token-8642",
        ] {
            #expect(!shown.contains(secret), "\(secret) is shown")
        }
        // What is not a credential stays readable, references among it.
        for kept in [
            "X-Privacy-Key", "noreply@example.com", "hooks.example.com", "${env:TAG}", "LANG: C.UTF-8", "user: kratos",
        ] {
            #expect(shown.contains(kept), "\(kept) is masked")
        }
    }

    @Test func aCredentialThatCannotBeFoundInTheTextWithholdsTheFile() throws {
        let configuration = try ConsoleFixture().configuration
        // YAML decodes the escape: the value is not in the text as written.
        let escaped = "actions:\n  mail: { plugin: mandrill, api_key: \"md-Escaped\\x41Key123\" }\n"
        let shown = ConfigurationText.redacted(escaped, configuration)
        #expect(!shown.contains("md-Escaped") && shown.hasPrefix("# not shown"))
    }

    @Test func theCutComesAfterTheMasking() throws {
        let configuration = try ConsoleFixture().configuration
        let padding = "# " + String(repeating: "x", count: ConfigurationText.maxBytes - 60) + "\n"
        let text =
            padding + "actions:\n  mail: { plugin: mandrill, api_key: md-StraddlingTheCut1234567 }\n"
            + "# " + String(repeating: "y", count: 200) + "\n"
        let shown = ConfigurationText.redacted(text, configuration)
        #expect(!shown.contains("md-Straddl") && shown.hasSuffix("cut at 256 KiB\n"))
    }
}
