import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `EMLWriter`: whatever the event put into names, addresses, the subject and the bodies, the
/// message holds exactly the mailboxes and fields Herald meant, in 7-bit CRLF text with lines
/// folded. Read back by `MailReader` and by Python's `email` package.
@Suite struct EMLWriterTests {
    static let hostileName = #"Support <evil-mbox@x.org>, "x""#

    static func job(_ payload: JSON = [:]) -> Job {
        let id = TimeOrderedID(high: 0x0190_0000_0000_0002, low: 7)
        let time = WallClock(millisecondsSinceEpoch: 1_767_225_600_000)
        return Job(
            id: id, eventID: TimeOrderedID(high: 0x0190_0000_0000_0001, low: 3),
            eventName: EventName(flow: "registration", phase: "after"), route: "r", action: "mail", payload: payload,
            orderingKey: nil, createdAt: time, notBefore: time)
    }

    static func render(_ message: RenderedEmail, includesBcc: Bool = true) throws -> (String, MailReader) {
        let text = try EMLWriter.render(message, job: job(), includesBcc: includesBcc)
        return (text, try MailReader(Array(text.utf8)))
    }

    /// No bare CR or LF, no NUL, only 7-bit bytes, no line over 78 characters (998 with an address
    /// too long to fold).
    static func expectWellFormed(
        _ text: String, maxLine: Int = 78, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let bytes = Array(text.utf8)
        #expect(!bytes.contains(0), "NUL", sourceLocation: sourceLocation)
        #expect(!bytes.contains { $0 >= 0x80 }, "8-bit", sourceLocation: sourceLocation)
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "bare CR at \(index)") }
            if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D, "bare LF at \(index)") }
        }
        for line in text.components(separatedBy: "\r\n") {
            #expect(
                line.utf8.count <= maxLine, "a line of \(line.utf8.count): \(line.prefix(80))",
                sourceLocation: sourceLocation)
        }
    }

    @Test func aDisplayNameCannotAddAMailbox() throws {
        let message = RenderedEmail(
            to: [EmailAddress(email: "jane@example.com", name: Self.hostileName)],
            from: EmailAddress(email: "noreply@example.com", name: Self.hostileName), subject: "Hi", text: "Hello")
        let (text, mail) = try Self.render(message)
        #expect(
            try mail.mailboxes("From") == [.init(name: Self.hostileName, address: "noreply@example.com")], "\(text)")
        #expect(try mail.mailboxes("To") == [.init(name: Self.hostileName, address: "jane@example.com")])
        #expect(mail.values("From") == [#""Support <evil-mbox@x.org>, \"x\"" <noreply@example.com>"#])
    }

    @Test(arguments: [
        "Example", "Jane Q. Public", "O'Brien", "Jöhn Ünicode", "=?UTF-8?B?ZXZpbA==?=", " padded ", "two  spaces",
        "tab\there", "line\r\nbreak", "back\\slash \"quote\"", "日本語の名前", "emoji 🎉", "a,b;c:d@e<f>g(h)i[j]",
    ])
    func everyDisplayNameReadsBackExactly(_ name: String) throws {
        let message = RenderedEmail(
            to: [EmailAddress(email: "a@example.com", name: name), EmailAddress(email: "b@example.com")],
            from: EmailAddress(email: "hello@example.com", name: name), subject: name, text: "x")
        let (text, mail) = try Self.render(message)
        Self.expectWellFormed(text)
        #expect(try mail.mailboxes("From") == [.init(name: name, address: "hello@example.com")], "\(text)")
        #expect(
            try mail.mailboxes("To") == [
                .init(name: name, address: "a@example.com"), .init(name: nil, address: "b@example.com"),
            ])
        #expect(try mail.text("Subject") == name)
    }

    @Test func bareCRLFAndNULNeverReachTheBody() throws {
        // What SMTP smuggling needs: a bare CR or LF that some server reads as a line end, so
        // `\r.\r` ends the data early and the rest is read as commands.
        let body = "l\r.\rMAIL FROM:<x@y.org>\r\nRCPT TO:<z@y.org>\n.\nDATA\0\r\nend"
        let (text, mail) = try Self.render(RenderedEmail(to: [.init(email: "a@example.com")], subject: "s", text: body))
        Self.expectWellFormed(text)
        #expect(
            mail.parts == [
                .init(
                    type: "text/plain", encoding: "7bit",
                    text: "l\n.\nMAIL FROM:<x@y.org>\nRCPT TO:<z@y.org>\n.\nDATA\nend")
            ])
        #expect(text.hasSuffix("\r\n\r\nl\r\n.\r\nMAIL FROM:<x@y.org>\r\nRCPT TO:<z@y.org>\r\n.\r\nDATA\r\nend"))
    }

    @Test func eightBitBodiesAreEncoded() throws {
        let latin = "Grüße aus Köln,\nline two = café\n"
        let cyrillic = "Привет, мир! Это письмо.\n"
        let message = RenderedEmail(to: [.init(email: "a@example.com")], subject: "s", html: cyrillic, text: latin)
        let (text, mail) = try Self.render(message)
        Self.expectWellFormed(text)
        #expect(
            mail.parts == [
                .init(type: "text/plain", encoding: "quoted-printable", text: latin),
                .init(type: "text/html", encoding: "base64", text: cyrillic),
            ])
        #expect(text.contains("Gr=C3=BC=C3=9Fe aus K=C3=B6ln,\r\nline two =3D caf=C3=A9\r\n"), "\(text)")
    }

    @Test func longLinesAreFoldedOrEncoded() throws {
        let name = String(repeating: "Ab", count: 750)
        let words = Array(repeating: "word", count: 400).joined(separator: " ")
        let body = String(repeating: "x", count: 1500) + "\n" + String(repeating: "é", count: 600)
        let message = RenderedEmail(
            to: [EmailAddress(email: "a@example.com", name: name)],
            from: EmailAddress(email: "b@example.com", name: words),
            subject: words, text: body)
        let (text, mail) = try Self.render(message)
        Self.expectWellFormed(text)
        #expect(try mail.mailboxes("To") == [.init(name: name, address: "a@example.com")])
        #expect(try mail.mailboxes("From") == [.init(name: words, address: "b@example.com")])
        #expect(try mail.text("Subject") == words)
        #expect(mail.parts.map(\.text) == [body])
    }

    @Test func anAddressTooLongForALineStaysWithin998() throws {
        let local = String(repeating: "a", count: 64)
        let domain = (0..<3).map { _ in String(repeating: "b", count: 60) }.joined(separator: ".") + ".org"
        let address = "\(local)@\(domain)"
        let (text, mail) = try Self.render(
            RenderedEmail(to: [.init(email: address, name: "Name")], replyTo: address, subject: "s", text: "x"))
        Self.expectWellFormed(text, maxLine: 998)
        #expect(try mail.mailboxes("To") == [.init(name: "Name", address: address)])
        #expect(try mail.mailboxes("Reply-To") == [.init(name: nil, address: address)])
    }

    @Test(arguments: [
        ("to", "angle@example.org>,evil-angle@x.org"), ("cc", "a@example.org, b@example.org"),
        ("bcc", "\"quoted\"@example.org"), ("from", "a@example.org\r\nRCPT TO:<x@y.org>"),
        ("reply_to", "a@b.org,c@d.org"),
        ("to", "jané@example.org"), ("to", "a@example.org (comment)"), ("to", "a@[1.2.3.4]>x"),
    ])
    func anAddressWithSpecialsIsRefused(_ key: String, _ address: String) throws {
        var message = RenderedEmail(
            to: [.init(email: "ok@example.com")], from: .init(email: "hello@example.com"), subject: "s", text: "x")
        switch key {
        case "to": message.to.append(.init(email: address))
        case "cc": message.cc = [.init(email: address)]
        case "bcc": message.bcc = [.init(email: address)]
        case "from": message.from = .init(email: address)
        default: message.replyTo = address
        }
        let problem = try #require(message.addressProblem)
        #expect(problem.key == key)
        #expect(throws: problem) { try EMLWriter.render(message, job: Self.job()) }
    }

    @Test(
        arguments: [
            ("jane.doe@example.com", nil), ("o'brien+tag@mail.example.co.uk", nil), ("x@[192.0.2.1]", nil),
            ("x@[IPv6:2001:db8::1]", nil), ("a!#$%&'*+-/=?^_`{|}~z@example.org", nil),
            ("", "it is empty"), ("no-at.example.org", "it has no @"),
            ("a@b@c.org", "it holds '@', which an address may only hold quoted"),
            (".a@example.org", "the part before the @ has a dot at an end or two in a row"),
            ("a..b@example.org", "the part before the @ has a dot at an end or two in a row"),
            ("a@-example.org", "a label of the domain starts or ends with a hyphen"),
            ("a@example..org", "the domain has a dot at an end or two in a row"),
            ("a@exa_mple.org", "the domain holds a character other than letters, digits, hyphens and dots"),
            ("a b@example.org", "it holds a space"), ("a\0@example.org", "it holds a control character"),
            ("a>@example.org", "it holds '>', which an address may only hold quoted"),
            ("a@[1.2.3.4", "the domain starts with '[' but is not an address literal"),
            (String(repeating: "a", count: 65) + "@example.org", "the part before the @ is longer than 64"),
        ] as [(String, String?)])
    func plainAddresses(_ address: String, _ problem: String?) {
        #expect(EmailAddress.plainAddressProblem(address) == problem)
    }

    @Test func emptyAddressesAreLeftOutAndNoBccForAServer() throws {
        let message = RenderedEmail(
            to: [.init(email: "a@example.com"), .init(email: "")], cc: [.init(email: " ")],
            bcc: [.init(email: "audit@example.com")], from: .init(email: ""), subject: "", text: "x")
        let (text, mail) = try Self.render(message, includesBcc: false)
        #expect(try mail.mailboxes("To") == [.init(name: nil, address: "a@example.com")], "\(text)")
        #expect(mail.values("Cc").isEmpty && mail.values("Bcc").isEmpty && mail.values("From").isEmpty)
        #expect(mail.values("Subject") == [""])
        let (_, audit) = try Self.render(message)
        #expect(try audit.mailboxes("Bcc") == [.init(name: nil, address: "audit@example.com")])
    }

    /// Found by fuzz-mail: a combining mark right after a line break (or after the delimiter) joins
    /// it into one Character, so a String search misses a CRLF or a delimiter that is there.
    @Test func aCombiningMarkAfterALineBreakOrTheDelimiterChangesNothing() throws {
        let job = Self.job()
        let body = "l\r.\r\u{05BF}x\n--herald-\(job.id)\u{0301}\n"
        let message = RenderedEmail(to: [.init(email: "a@example.com")], subject: "s", html: "<p>x</p>", text: body)
        let text = try EMLWriter.render(message, job: job)
        Self.expectWellFormed(text)
        let mail = try MailReader(Array(text.utf8))
        #expect(mail.parts.map(\.text) == ["l\n.\n\u{05BF}x\n--herald-\(job.id)\u{0301}\n", "<p>x</p>"])
        #expect(mail.parts.first?.encoding == "base64")
    }

    @Test func aMessageWithoutBodyHasOneEmptyTextPart() throws {
        let (text, mail) = try Self.render(RenderedEmail(to: [.init(email: "a@example.com")], subject: "s"))
        #expect(mail.parts == [.init(type: "text/plain", encoding: "7bit", text: "")], "\(text)")
        #expect(text.hasSuffix("Content-Transfer-Encoding: 7bit\r\n\r\n"))
    }

    @Test func aPartNeverHoldsItsBoundary() throws {
        let job = Self.job()
        let hostile = "before\n--herald-\(job.id)--\nafter"
        let message = RenderedEmail(to: [.init(email: "a@example.com")], subject: "s", html: "<p>x</p>", text: hostile)
        let text = try EMLWriter.render(message, job: job)
        let mail = try MailReader(Array(text.utf8))
        #expect(mail.parts.map(\.text) == [hostile, "<p>x</p>"])
        #expect(mail.parts.map(\.encoding) == ["base64", "7bit"])
    }

    @Test(.enabled(if: PythonEmail.isAvailable, "python3 is missing"))
    func pythonsEmailPackageReadsWhatHeraldMeant() async throws {
        let cases: [RenderedEmail] = [
            RenderedEmail(
                to: [
                    EmailAddress(email: "jane@example.com", name: Self.hostileName),
                    EmailAddress(email: "b@example.org"),
                ],
                cc: [EmailAddress(email: "c@example.org", name: "Jöhn Ünicode")],
                from: EmailAddress(email: "noreply@example.com", name: "Support (help) desk"),
                replyTo: "help@example.com",
                subject: "Grüße, =?UTF-8?B?ZXZpbA==?= " + String(repeating: "long ", count: 40) + "end",
                html: "<p>Привет</p>\n", text: "l\r.\rMAIL FROM:<x@y.org>\r\n\0Grüße\n"),
            RenderedEmail(
                to: [EmailAddress(email: "a@example.com", name: String(repeating: "Ab ", count: 500) + "end")],
                from: EmailAddress(email: "b@example.com", name: "日本語の名前 and ASCII"), subject: "plain subject",
                text: String(repeating: "x", count: 2000)),
        ]
        for message in cases {
            let text = try EMLWriter.render(message, job: Self.job())
            Self.expectWellFormed(text)
            let seen = try await BlockingWork.run { try PythonEmail.read(Array(text.utf8)) }
            #expect(seen["defects"] == [], "\(seen)")
            func mailboxes(_ addresses: [EmailAddress]) -> JSON {
                .array(addresses.map { ["name": .string($0.name ?? ""), "address": .string($0.email)] })
            }
            #expect(seen["mailboxes"]?["from"] == mailboxes([message.from].compactMap { $0 }), "\(text)")
            #expect(seen["mailboxes"]?["to"] == mailboxes(message.to))
            let cc: JSON? = message.cc.isEmpty ? JSON?.none : mailboxes(message.cc)
            #expect(seen["mailboxes"]?["cc"] == cc)
            #expect(seen["mailboxes"]?["reply-to"] == message.replyTo.map { mailboxes([.init(email: $0)]) })
            let subject = seen["headers"]?.array?.first { $0[0]?.string == "Subject" }?[1]
            #expect(subject?.string == message.subject)
            let texts = seen["parts"]?.array?.compactMap { $0["text"]?.string } ?? []
            let meant = [message.text, message.html].compactMap { $0 }.map {
                $0.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                    .replacingOccurrences(of: "\0", with: "")
            }
            // Python's get_content ends a text part with a line break when it lacks one.
            #expect(
                texts.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" } == meant.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" })
        }
    }
}
