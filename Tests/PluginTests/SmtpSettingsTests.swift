import HeraldCore
import HeraldTestSupport
import Testing

@testable import SmtpPlugin

/// `plugin: smtp` options and steps: every problem reported at its line and column, no secret in
/// any message or summary.
@Suite struct SmtpSettingsTests {
    static let password = "pw-smtp-secret-0123456789"

    static func harness(_ options: String, step: String = "        text: hello", env: [String: String] = [:])
        -> PluginHarness
    {
        PluginHarness(
            """
            actions:
              mail:
                plugin: smtp
            \(options)
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: mail
                    to: "{{recipient}}"
            \(step)
            """, env: ["SMTP_PASSWORD": password].merging(env) { $1 })
    }

    @Test func aCompleteActionHasASummaryWithoutThePassword() throws {
        let harness = Self.harness(
            """
                url: smtp://smtp.example.com:587
                username: herald@example.com
                password: "${env:SMTP_PASSWORD}"
                auth: plain
                from: { email: hello@example.com, name: Example }
                timeout: 20s
            """)
        #expect(harness.messages == [])
        let action = try #require(harness.actions["mail"] as? SmtpAction)
        #expect(
            action.summary
                == "smtp → smtp://smtp.example.com:587 (STARTTLS; AUTH PLAIN as herald@example.com; "
                + "from hello@example.com; timeout 20s)")
        #expect(action.settings.password == Self.password)
        #expect(action.settings.url.hasPrefix("smtp://smtp.example.com:587/"))
        #expect(action.defaultConcurrency == 4)
    }

    @Test func portsDefaultToSubmissionAndSmtps() throws {
        let plain = Self.harness("    url: smtp://relay.example.com\n    from: a@example.com")
        let tls = Self.harness("    url: smtps://relay.example.com\n    from: a@example.com")
        let plainAction = try #require(plain.actions["mail"] as? SmtpAction)
        let tlsAction = try #require(tls.actions["mail"] as? SmtpAction)
        #expect(plainAction.settings.displayURL == "smtp://relay.example.com:587")
        #expect(tlsAction.settings.displayURL == "smtps://relay.example.com:465")
        #expect(tlsAction.settings.security == .implicitTLS)
    }

    @Test func badOptionsAreReportedWithPositions() {
        let harness = Self.harness(
            """
                url: https://smtp.example.com
                starttls: maybe
                username: herald
                auth: CRAM-MD5
                from: not-an-address
                timeout: 1h
                helo_name: "bad name"
                ca_file: /nonexistent/ca.pem
            """)
        #expect(
            harness.messages == [
                "4:10: 'url' must be smtp://HOST:PORT (STARTTLS, usually port 587) or smtps://HOST:PORT (TLS, usually "
                    + "465), without credentials or path; found https://smtp.example.com",
                "5:15: 'starttls' must be required or none, found maybe",
                "6:5: 'username' needs a 'password' (from a secret, such as ${credential:smtp})",
                "7:11: 'auth' must be PLAIN or LOGIN, found CRAM-MD5",
                "8:11: 'from' is not an email address: not-an-address",
                "9:14: 'timeout' must be between 100ms and 10m, found 1h",
                "10:16: 'helo_name' must be a host name such as mail.example.com, found \"bad name\"",
                "11:14: 'ca_file' /nonexistent/ca.pem is not a readable file (/nonexistent/ca.pem)",
            ])
    }

    @Test func credentialsInClearTextToAnotherHostAreRefused() {
        let harness = Self.harness(
            """
                url: smtp://smtp.example.com:25
                starttls: none
                username: herald
                password: "${env:SMTP_PASSWORD}"
                from: a@example.com
            """)
        #expect(
            harness.messages == [
                "5:15: 'starttls: none' would send the password in clear text to smtp.example.com; use STARTTLS or "
                    + "smtps://"
            ])
        #expect(!harness.messages.joined().contains(Self.password))
    }

    @Test func starttlsIsForSmtpURLsOnly() {
        let harness = Self.harness("    url: smtps://smtp.example.com\n    starttls: required\n    from: a@example.com")
        #expect(harness.messages == ["5:15: 'starttls' is for smtp:// URLs; smtps:// always uses TLS"])
    }

    @Test func aURLWithCredentialsIsRefusedWithoutQuotingIt() {
        let harness = Self.harness(
            "    url: \"${env:SMTP_URL}\"\n    from: a@example.com", env: ["SMTP_URL": "smtp://u:hunter22@host"])
        #expect(harness.messages.count == 1)
        #expect(harness.messages.first?.contains("found <secret>") == true)
        #expect(!harness.messages.joined().contains("hunter22"))
    }

    @Test func aStepNeedsABodyAndASender() {
        let harness = Self.harness("    url: smtp://smtp.example.com", step: "        subject: hi")
        #expect(
            harness.messages == [
                "9:9: step 1 of route 'r' needs a body: 'text', 'html', 'text_file' or 'html_file'",
                "9:9: step 1 of route 'r' needs a sender: 'from' here or in action 'mail'",
            ])
    }

    @Test func aStepPlansTheRenderedMessage() throws {
        let harness = Self.harness(
            "    url: smtp://smtp.example.com\n    from: hello@example.com",
            step: "        subject: \"Welcome, {{identity.traits.name.first}}\"\n        text: hi")
        #expect(harness.messages == [])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        let message = try #require(RenderedEmail(json: job.payload["message"]))
        #expect(message.to == [EmailAddress(email: "jane.doe@example.com")])
        #expect(message.from == EmailAddress(email: "hello@example.com"))
        #expect(message.subject == "Welcome, Jane")
        #expect(job.orderingKey == "jane.doe@example.com")
    }
}
