import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

@testable import SmtpPlugin

/// `perform` against a real SMTP server (aiosmtpd through scripts/smtp-test-server) on loopback:
/// STARTTLS, implicit TLS, AUTH PLAIN and LOGIN, greylisting, rejects, refused connections and
/// certificates.
@Suite(.serialized) struct SmtpDeliveryTests {
    static let password = "pw-smtp-secret-0123456789"
    static let login = (user: "herald", password: password)

    /// The tests that need the server run only where it can (python3 with aiosmtpd, openssl).
    static let serverAvailable = SmtpTestServer.unavailableReason == nil

    static func perform(
        url: String, options: String = "", step: String = "", password: String = password,
        timeout: Duration = .seconds(10)
    ) async throws -> (Outcome, Job) {
        let harness = PluginHarness(
            """
            actions:
              mail:
                plugin: smtp
                url: \(url)
                username: herald
                password: "${env:SMTP_PASSWORD}"
                from: { email: hello@example.com, name: Example }
                timeout: 5s
            \(options)
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: mail
                    to: { email: "{{recipient}}", name: "{{identity.traits.name.first}}" }
                    subject: "Welcome, {{identity.traits.name.first}}"
                    text: "Hello {{identity.traits.name.first}}\\n.\\nA line with a dot."
            \(step)
            """, env: ["SMTP_PASSWORD": password])
        #expect(harness.messages == [])
        let action = try #require(harness.actions["mail"])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        return (await action.perform(job, context: .testing(timeout: timeout)), job)
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func startTLSWithAuthDeliversTheRenderedMessage() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login)
        defer { server.stop() }
        let (outcome, job) = try await Self.perform(
            url: server.url(), options: "    ca_file: \(server.certificate)\n    auth: PLAIN",
            step: "        bcc: audit@example.com")
        #expect(outcome == .delivered(detail: "accepted: 250 2.0.0 Ok: queued as HERALD0001"))
        let message = try #require(server.messages.first)
        #expect(message.overTLS && message.login == "herald" && message.mechanism == "PLAIN")
        #expect(message.mailFrom == "hello@example.com")
        #expect(message.recipients == ["jane.doe@example.com", "audit@example.com"])
        #expect(message.header("From") == "Example <hello@example.com>")
        #expect(message.header("To") == "Jane <jane.doe@example.com>")
        #expect(message.header("Subject") == "Welcome, Jane")
        #expect(message.header("Message-ID") == "<\(job.id)@herald.invalid>")
        #expect(message.header("X-Herald-Job") == job.id.description)
        // Bcc goes in the envelope only; curl's dot-stuffing keeps the lone dot line.
        #expect(message.header("Bcc") == nil)
        #expect(message.text.hasSuffix("\r\n\r\nHello Jane\r\n.\r\nA line with a dot.\r\n"), "\(message.text)")
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func authLoginAndImplicitTLS() async throws {
        let server = try SmtpTestServer(tls: .implicitTLS, login: Self.login)
        defer { server.stop() }
        let (outcome, _) = try await Self.perform(
            url: server.url(implicitTLS: true), options: "    ca_file: \(server.certificate)\n    auth: LOGIN")
        #expect(outcome == .delivered(detail: "accepted: 250 2.0.0 Ok: queued as HERALD0001"))
        let message = try #require(server.messages.first)
        #expect(message.overTLS && message.mechanism == "LOGIN")
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func greylistingIsARetryThenTheSameMessageIsAccepted() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login, greylist: 1)
        defer { server.stop() }
        let options = "    ca_file: \(server.certificate)"
        let (first, _) = try await Self.perform(url: server.url(), options: options)
        #expect(
            first
                == .retry(
                    after: nil,
                    reason: "RCPT TO answered 451 4.7.1 <j***@example.com>: Recipient address rejected: Greylisted, "
                        + "try again later (temporary; not accepted)", ambiguous: false))
        #expect(server.messages.isEmpty)
        let (second, _) = try await Self.perform(url: server.url(), options: options)
        #expect(second == .delivered(detail: "accepted: 250 2.0.0 Ok: queued as HERALD0001"))
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func anUnknownRecipientFailsWithTheServersTextMasked() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login, rejecting: ["jane.doe@example.com"])
        defer { server.stop() }
        let (outcome, _) = try await Self.perform(url: server.url(), options: "    ca_file: \(server.certificate)")
        #expect(
            outcome
                == .failed(
                    reason: "RCPT TO answered 550 5.1.1 <j***@example.com>: Recipient address rejected: User unknown "
                        + "in local recipient table"))
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func oneRejectedRecipientStopsTheMessageForAll() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login, rejecting: ["gone@example.com"])
        defer { server.stop() }
        let (outcome, _) = try await Self.perform(
            url: server.url(), options: "    ca_file: \(server.certificate)", step: "        cc: gone@example.com")
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("RCPT TO answered 550 5.1.1 <g***@example.com>"))
        #expect(server.messages.isEmpty)
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func aWrongPasswordFails() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login)
        defer { server.stop() }
        let (outcome, _) = try await Self.perform(
            url: server.url(), options: "    ca_file: \(server.certificate)", password: "wrong-password-42")
        #expect(outcome == .failed(reason: "AUTH answered 535 5.7.8 Authentication credentials invalid"))
        #expect(server.events.first?["ok"]?.bool == false)
    }

    @Test func aRefusedConnectionIsRetriedAndNotAmbiguous() async throws {
        let port = try SmtpTestServer.freePort()
        let (outcome, _) = try await Self.perform(url: "smtp://127.0.0.1:\(port)")
        guard case .retry(nil, let reason, false) = outcome else {
            Issue.record("expected a plain retry, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("cannot connect: ") && reason.hasSuffix("; not sent"), "\(reason)")
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func anUntrustedCertificateFails() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login)
        defer { server.stop() }
        // No ca_file: the system's CAs do not know the test server's self-signed certificate.
        let (outcome, _) = try await Self.perform(url: server.url())
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("TLS: ") && reason.contains("certificate"), "\(reason)")
        #expect(server.events.isEmpty)
    }

    /// A job planned before addresses were checked (or edited in the spool): an address with
    /// specials never reaches RCPT TO, MAIL FROM or a header; the others get the message.
    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func anAddressWithSpecialsInAStoredJobIsNeverSent() async throws {
        let server = try SmtpTestServer(tls: .none)
        defer { server.stop() }
        let harness = PluginHarness(
            """
            actions:
              mail: { plugin: smtp, url: "\(server.url())", starttls: none, from: hello@example.com, timeout: 5s }
            routes:
              - { name: r, events: [registration.after], do: [{ action: mail, to: a@example.com, text: x }] }
            """)
        let action = try #require(harness.actions["mail"])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        func job(_ message: RenderedEmail) -> Job {
            Job.testing(PlannedJob(payload: ["message": message.json], orderingKey: nil), event: event, action: "mail")
        }
        let hostile = EmailAddress(email: "angle@example.org>,evil-angle@x.org")
        let outcome = await action.perform(
            job(RenderedEmail(to: [.init(email: "jane@example.com"), hostile], subject: "s", text: "x")),
            context: .testing())
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.hasPrefix("not sent to a***@x.org (not a plain address); accepted: 250"), "\(reason)")
        #expect(server.messages.map(\.recipients) == [["jane@example.com"]])
        let sender = await action.perform(
            job(RenderedEmail(to: [.init(email: "jane@example.com")], from: hostile, subject: "s", text: "x")),
            context: .testing())
        #expect(
            sender
                == .failed(
                    reason: "the sender a***@x.org is not a plain address: it holds '@', which an address may only "
                        + "hold quoted"))
        #expect(server.sessions.count == 1)
        #expect(!server.sessions.contains { String(decoding: $0, as: UTF8.self).contains("evil-angle") })
    }

    @Test func noPasswordReachesAReasonEvenWhenTheServerEchoesIt() throws {
        let redactor = RemoteTextRedactor(secrets: [Self.password])
        let result = SmtpSessionResult(
            curlCode: SmtpResultClassifier.Code.loginDenied, curlError: "Login denied", replyCode: 535,
            replyLines: ["535 5.7.8 bad credentials for herald:\(Self.password)"], lastCommand: .auth,
            messageSent: false, cancelled: false, duration: .milliseconds(5))
        #expect(
            SmtpResultClassifier.classify(result, redactor: redactor)
                == .failed(reason: "AUTH answered 535 5.7.8 bad credentials for herald:<redacted>"))
    }
}
