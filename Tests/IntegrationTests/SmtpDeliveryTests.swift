import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The real binary sends mail to a real SMTP server (aiosmtpd, scripts/smtp-test-server) on
/// loopback over STARTTLS with AUTH, and classifies its answers.
@Suite struct SmtpDeliveryTests {
    static let password = "pw-integration-smtp-0123456789"
    static let login = (user: "herald", password: password)
    static let serverAvailable = SmtpTestServer.unavailableReason == nil

    private func start(url: String, caFile: String, password: String = password) async throws -> (
        HeraldProcess, String
    ) {
        try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            log: { level: debug }
            delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h }, timeout: 10s }
            actions:
              mail:
                plugin: smtp
                url: \(url)
                username: herald
                password: "${env:SMTP_PASSWORD}"
                ca_file: \(caFile)
                from: { email: hello@example.com, name: Example }
                timeout: 5s
            routes:
              - name: welcome
                events: [registration.after]
                do:
                  - action: mail
                    to: "{{recipient}}"
                    subject: "Welcome, {{identity.traits.name.first}}"
                    text: "Hello {{identity.traits.name.first}}"
            """, environment: ["SMTP_PASSWORD": password])
    }

    private func post(to address: String) throws {
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
    }

    private func deadLetter(_ herald: HeraldProcess) throws -> JSON? {
        try QueueCLI(store: .local, directory: herald.directory).list("dead").first
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func theMessageArrivesOverStartTLSWithAuth() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login)
        defer { server.stop() }
        let (herald, address) = try await start(url: server.url(), caFile: server.certificate)
        try post(to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        let message = try #require(server.messages.first)
        #expect(message.overTLS && message.login == "herald")
        #expect(message.mailFrom == "hello@example.com" && message.recipients == ["jane.doe@example.com"])
        #expect(message.header("From") == "Example <hello@example.com>")
        #expect(message.header("To") == "jane.doe@example.com")
        #expect(message.header("Subject") == "Welcome, Jane")
        let job = try #require(message.header("X-Herald-Job"))
        #expect(message.header("Message-ID") == "<\(job)@herald.invalid>")
        // curl ends the data with CRLF . CRLF, so the body arrives with a final CRLF.
        #expect(message.text.hasSuffix("\r\n\r\nHello Jane\r\n"), "\(message.text)")
        #expect(herald.output.contains("msg=\"smtp session\""))
        #expect(!herald.output.contains(Self.password))
        try await herald.stop()
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func greylistingIsRetriedThenDelivered() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login, greylist: 1)
        defer { server.stop() }
        let (herald, address) = try await start(url: server.url(), caFile: server.certificate)
        try post(to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        #expect(herald.output.contains("outcome=retry "))
        #expect(herald.output.contains("451 4.7.1 <j***@example.com>"))
        #expect(server.events.compactMap { $0["kind"]?.string }.filter { $0 != "auth" } == ["greylisted", "accepted"])
        #expect(server.messages.count == 1)
        try await herald.stop()
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func anUnknownRecipientIsADeadLetterWithTheServersText() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login, rejecting: ["jane.doe@example.com"])
        defer { server.stop() }
        let (herald, address) = try await start(url: server.url(), caFile: server.certificate)
        try post(to: address)
        try await herald.waitForLog("moved to dead letters")
        let letter = try #require(try deadLetter(herald))
        #expect(letter["attempts"]?.int == 1)
        #expect(
            letter["reason"]?.string
                == "RCPT TO answered 550 5.1.1 <j***@example.com>: Recipient address rejected: User unknown in local "
                + "recipient table", "\(letter)")
        #expect(server.messages.isEmpty)
        try await herald.stop()
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func aRefusedConnectionIsRetriedUntilTheServerIsUp() async throws {
        let port = try SmtpTestServer.freePort()
        let certificate = try SmtpTestServer.makeCertificate()
        // The first attempts find nothing listening; the server then starts on that port with the
        // certificate the action trusts.
        let (herald, address) = try await start(
            url: "smtp://127.0.0.1:\(port)", caFile: certificate.certificate)
        try post(to: address)
        try await herald.waitForLog("outcome=retry ")
        #expect(herald.output.contains("cannot connect: "))
        #expect(!herald.output.contains("outcome=retry_ambiguous"))
        let server = try SmtpTestServer(
            tls: .startTLS, port: port, login: Self.login, certificate: certificate)
        defer { server.stop() }
        try await herald.waitForLog("msg=\"job delivered\"")
        #expect(server.messages.count == 1)
        try await herald.stop()
    }

    @Test(.enabled(if: serverAvailable, "python3 cannot import aiosmtpd, or no openssl: run scripts/setup --ops"))
    func aWrongPasswordIsADeadLetter() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: Self.login)
        defer { server.stop() }
        let (herald, address) = try await start(
            url: server.url(), caFile: server.certificate, password: "not-the-password-42")
        try post(to: address)
        try await herald.waitForLog("moved to dead letters")
        let letter = try #require(try deadLetter(herald))
        #expect(letter["reason"]?.string == "AUTH answered 535 5.7.8 Authentication credentials invalid", "\(letter)")
        #expect(!herald.output.contains("not-the-password-42"))
        try await herald.stop()
    }

    @Test func checkAndExplainShowTheMessageWithoutSecrets() async throws {
        let directory = try makeTemporaryDirectory()
        try """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress: { insecure_no_auth: true }
        actions:
          mail:
            plugin: smtp
            url: smtp://smtp.example.com:587
            username: herald@example.com
            password: "${env:SMTP_PASSWORD}"
            from: hello@example.com
        routes:
          - name: welcome
            events: [registration.after]
            do:
              - action: mail
                to: "{{recipient}}"
                subject: "Welcome, {{identity.traits.name.first}}"
                text: "Hello"
        """.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let environment = ["SMTP_PASSWORD": Self.password]
        let check = try HeraldProcess.run(
            ["check", "--config", "herald.yaml"], in: directory, environment: environment)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(
            check.stdout.contains(
                "smtp → smtp://smtp.example.com:587 (STARTTLS; AUTH as herald@example.com; from hello@example.com; "
                    + "timeout 1m)"), "\(check.stdout)")
        let payload = Integration.examples.appendingPathComponent("registration-after.json").path
        let explain = try HeraldProcess.run(
            ["explain", "--config", "herald.yaml", "--event", "registration.after", payload], in: directory,
            environment: environment)
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("\"subject\": \"Welcome, Jane\""), "\(explain.stdout)")
        for output in [check.stdout, check.stderr, explain.stdout, explain.stderr] {
            #expect(!output.contains(Self.password))
        }
    }
}
