import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// Event data (traits come from users) cannot steer the mail the real binary sends: checked on the
/// bytes aiosmtpd received (scripts/smtp-test-server records every byte of each connection) and on
/// the message as Python's `email` package reads it.
@Suite struct SmtpHostileInputTests {
    static let password = "pw-integration-smtp-hostile-42"
    static let available = SmtpTestServer.unavailableReason == nil && PythonEmail.isAvailable
    static let hostileName = #"Support <evil-mbox@x.org>, "x""#
    /// A bare CR before and after a dot, then commands: what SMTP smuggling sends; and a NUL.
    static let hostileBody = "l\r.\rMAIL FROM:<smuggled@x.org>\r\nRCPT TO:<victim@x.org>\r\nDATA\n.\nGrüße\u{0}!"

    private func start(_ server: SmtpTestServer) async throws -> (HeraldProcess, String) {
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
                url: \(server.url())
                username: herald
                password: "${env:SMTP_PASSWORD}"
                ca_file: \(server.certificate)
                from: hello@example.com
                timeout: 5s
            routes:
              - name: welcome
                events: [registration.after]
                do:
                  - action: mail
                    from: { email: hello@example.com, name: "{{identity.traits.name.first}}" }
                    to: { email: "{{identity.traits.email}}", name: "{{identity.traits.name.last}}" }
                    subject: "Welcome, {{identity.traits.name.first}}"
                    text: "{{identity.traits.bio}}"
            """, environment: ["SMTP_PASSWORD": Self.password])
    }

    private func post(_ traits: JSON, to address: String) throws -> JSON {
        let payload: JSON = ["identity": ["id": "5b7c9d1e-0000-4000-8000-000000000001", "traits": traits]]
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: payload.serialized())
        #expect(response.status == 202)
        return try JSONDocument(parsing: response.body).root.json
    }

    /// The SMTP commands a session sent (data lines excluded), each line as it arrived.
    private func commands(_ session: [UInt8]) -> [String] {
        let text = String(decoding: session, as: UTF8.self)
        var commands: [String] = []
        var inData = false
        for line in text.components(separatedBy: "\r\n") {
            if inData {
                if line == "." { inData = false }
                continue
            }
            commands.append(line)
            if line == "DATA" { inData = true }
        }
        return commands
    }

    @Test(.enabled(if: available, "needs aiosmtpd, openssl and python3: run scripts/setup --ops"))
    func namesBodiesAndLongLinesCannotSteerTheMessage() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: (user: "herald", password: Self.password))
        defer { server.stop() }
        let (herald, address) = try await start(server)
        let longName = String(repeating: "Ünïcödé ", count: 190) + "end"  // ~1,500 characters
        _ = try post(
            [
                "email": "jane@example.com", "bio": .string(Self.hostileBody),
                "name": ["first": .string(Self.hostileName), "last": .string(longName)],
            ], to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        try await herald.stop()

        // One message, to the one recipient Herald meant.
        let message = try #require(server.messages.first)
        #expect(server.messages.count == 1)
        #expect(message.mailFrom == "hello@example.com" && message.recipients == ["jane@example.com"])

        // On the wire: only 7-bit text, every line end a CRLF, no NUL, one transaction.
        let session = try #require(server.sessions.first)
        #expect(!session.contains(0), "a NUL on the wire")
        #expect(!session.contains { $0 >= 0x80 }, "8-bit bytes on the wire")
        for (index, byte) in session.enumerated() {
            if byte == 0x0D { #expect(index + 1 < session.count && session[index + 1] == 0x0A, "bare CR at \(index)") }
            if byte == 0x0A { #expect(index > 0 && session[index - 1] == 0x0D, "bare LF at \(index)") }
        }
        let sent = commands(session)
        #expect(sent.filter { $0.hasPrefix("MAIL FROM:") } == ["MAIL FROM:<hello@example.com>"], "\(sent)")
        #expect(sent.filter { $0.hasPrefix("RCPT TO:") } == ["RCPT TO:<jane@example.com>"])
        #expect(sent.filter { $0 == "DATA" }.count == 1)

        // Folded: no line of the message over 78 characters (the name alone is ~1,500).
        let lines = message.text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "\(lines.map(\.utf8.count).max() ?? 0)")

        // What a mail client reads: exactly the mailboxes and text Herald meant.
        let bytes = Array(message.text.utf8)
        let seen = try await BlockingWork.run { try PythonEmail.read(bytes) }
        #expect(seen["defects"] == [], "\(seen)")
        #expect(
            seen["mailboxes"]?["from"] == [["name": .string(Self.hostileName), "address": "hello@example.com"]],
            "\(message.text)")
        let to = try #require(seen["mailboxes"]?["to"]?.array)
        #expect(to.count == 1 && to.first?["address"] == "jane@example.com")
        // Python 3.11 keeps the folding space between two encoded words of a display name, which
        // RFC 2047 §6.2 says a reader drops (cpython gh-128110): its name has extra spaces where
        // the encoded words meet, and only there. An RFC reader gets it exactly.
        let collapsed = { (text: String) in text.split(separator: " ").joined(separator: " ") }
        #expect(to.first?["name"]?.string.map(collapsed) == collapsed(longName))
        #expect(
            try MailReader(Array(message.text.utf8)).mailboxes("To") == [
                .init(name: longName, address: "jane@example.com")
            ])
        let subject = seen["headers"]?.array?.first { $0[0]?.string == "Subject" }?[1]?.string
        #expect(subject == "Welcome, \(Self.hostileName)")
        let body = seen["parts"]?[0]?["text"]?.string
        #expect(body == "l\n.\nMAIL FROM:<smuggled@x.org>\nRCPT TO:<victim@x.org>\nDATA\n.\nGrüße!\n", "\(seen)")
        #expect(seen["parts"]?[0]?["cte"] == "quoted-printable")
    }

    @Test(.enabled(if: available, "needs aiosmtpd, openssl and python3: run scripts/setup --ops"))
    func anAddressWithSpecialsIsNeverSent() async throws {
        let server = try SmtpTestServer(tls: .startTLS, login: (user: "herald", password: Self.password))
        defer { server.stop() }
        let (herald, address) = try await start(server)
        let answer = try post(
            ["email": "angle@example.org>,evil-angle@x.org", "bio": "hi", "name": ["first": "A", "last": "B"]],
            to: address)
        #expect(answer["jobs"] == 0, "\(answer)")
        try await herald.waitForLog("step planned nothing")
        #expect(
            herald.output.contains(
                "reason=\"not planned: 'to' a***@x.org is not a plain address: it holds '@', which an address may "
                    + "only hold quoted\""), "\(herald.output)")
        // A good address still goes out, in a session of its own.
        _ = try post(["email": "jane@example.com", "bio": "hi", "name": ["first": "A", "last": "B"]], to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        try await herald.stop()
        #expect(server.sessions.count == 1)
        let sent = server.sessions.flatMap(commands)
        #expect(sent.filter { $0.hasPrefix("RCPT TO:") } == ["RCPT TO:<jane@example.com>"], "\(sent)")
        #expect(!server.sessions.contains { String(decoding: $0, as: UTF8.self).contains("evil-angle") })
    }
}
