import HeraldCore
import HeraldFuzzSupport
import HeraldTestSupport

/// fuzz-mail: `EMLWriter.render` on fuzzed names, addresses, subjects and bodies — what event data
/// (traits come from users) can put into the mail the outbox writes and the smtp plugin sends.
///
/// Input: byte 0 holds flags (bit 0: a Bcc header; bits 1–2: 0 to 3 `to` recipients after the
/// first; bit 3: a `cc`; bit 4: a `reply_to`; bit 5: a text part; bit 6: an HTML part; bit 7: a
/// `from`), then fields separated by 0xFF: from name, from address, each `to` name and address,
/// the `cc` name and address, `reply_to`, subject, text, HTML. An address field that starts with
/// `R` is used as it is (mostly not an address); otherwise its atom characters are kept and
/// `@example.org` appended, so that most messages are written. Checked:
/// - `render` throws exactly when a non-blank address is not a plain address, naming its key;
/// - the text is 7-bit, every CR is followed by LF and every LF preceded by CR, no NUL, no line
///   over 998 octets, and no header line over 78 unless it holds an address;
/// - `MailReader` (an RFC 5322 reader written apart from the writer) reads back exactly the
///   mailboxes Herald meant in From, To, Cc, Bcc and Reply-To, the subject, each body with its
///   line ends as LF and without NUL, and one Date, Subject, Message-ID and MIME-Version.
@_cdecl("fuzz_mail_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzOne)
}

let job = Job(
    id: TimeOrderedID(high: 0x0190_0000_0000_0002, low: 7), eventID: TimeOrderedID(high: 0x0190_0000_0000_0001, low: 3),
    eventName: EventName(flow: "registration", phase: "after"), route: "r", action: "mail", payload: [:],
    orderingKey: nil, createdAt: WallClock(millisecondsSinceEpoch: 1_767_225_600_000),
    notBefore: WallClock(millisecondsSinceEpoch: 1_767_225_600_000))

func fuzzOne(_ bytes: [UInt8]) {
    var input = FuzzInput(bytes)
    let flags = input.byte()
    func text() -> String { String(decoding: input.bytes(upTo: 0xFF), as: UTF8.self) }
    func address() -> String {
        let raw = input.bytes(upTo: 0xFF)
        if raw.first == UInt8(ascii: "R") { return String(decoding: raw.dropFirst(), as: UTF8.self) }
        let atom = raw.filter {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || Array("!#$%&'*+-/=?^_`{|}~".utf8).contains($0)
        }
        return (atom.isEmpty ? "x" : String(decoding: atom.prefix(64), as: UTF8.self)) + "@example.org"
    }
    func mailbox() -> EmailAddress {
        let name = text()
        return EmailAddress(email: address(), name: name.isEmpty ? nil : name)
    }
    let includesBcc = flags & 1 != 0
    var message = RenderedEmail(to: [])
    if flags & 0x80 != 0 { message.from = mailbox() }
    for _ in 0...Int((flags >> 1) & 3) { message.to.append(mailbox()) }
    if flags & 0x08 != 0 { message.cc = [mailbox()] }
    if flags & 0x10 != 0 { message.replyTo = address() }
    message.subject = text()
    if flags & 0x20 != 0 { message.text = text() }
    if flags & 0x40 != 0 { message.html = text() }
    message.bcc = includesBcc ? [EmailAddress(email: "audit@example.org", name: "Audit")] : []

    let written: String
    do {
        written = try EMLWriter.render(message, job: job, includesBcc: includesBcc)
    } catch {
        let problem = message.addressProblem
        fuzzCheck(problem == error, "render threw \(error) but the message's first problem is \(String(describing: problem))")
        return
    }
    fuzzCheck(message.addressProblem == nil, "render wrote a message with \(String(describing: message.addressProblem))")
    check(Array(written.utf8), message, includesBcc: includesBcc)
}

func check(_ bytes: [UInt8], _ message: RenderedEmail, includesBcc: Bool) {
    fuzzCheck(!bytes.contains { $0 >= 0x80 }, "an 8-bit byte")
    fuzzCheck(!bytes.contains(0), "a NUL")
    for (index, byte) in bytes.enumerated() {
        if byte == 0x0D { fuzzCheck(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "a bare CR at \(index)") }
        if byte == 0x0A { fuzzCheck(index > 0 && bytes[index - 1] == 0x0D, "a bare LF at \(index)") }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    let sections = text.components(separatedBy: "\r\n\r\n")
    for line in text.components(separatedBy: "\r\n") {
        fuzzCheck(line.utf8.count <= 998, "a line of \(line.utf8.count) octets")
    }
    for line in sections[0].components(separatedBy: "\r\n") where !line.contains("@") {
        fuzzCheck(line.utf8.count <= 78, "a header line of \(line.utf8.count) characters: \(line.escapingControlCharacters)")
    }

    let mail: MailReader
    do {
        mail = try MailReader(bytes)
    } catch {
        fuzzCheck(false, "the message does not read back: \(error)\n\(text.escapingControlCharacters)")
        return
    }
    func expectMailboxes(_ field: String, _ addresses: [EmailAddress]) {
        let meant = addresses.filter { !$0.isBlank }.map {
            MailReader.Mailbox(name: ($0.name?.isEmpty ?? true) ? nil : $0.name, address: $0.email)
        }
        do {
            let seen = try mail.mailboxes(field)
            fuzzCheck(seen == meant, "\(field): read \(seen), meant \(meant)\n\(text.escapingControlCharacters)")
        } catch {
            fuzzCheck(false, "\(field) does not parse: \(error)\n\(text.escapingControlCharacters)")
        }
    }
    expectMailboxes("From", message.from.map { [$0] } ?? [])
    expectMailboxes("To", message.to)
    expectMailboxes("Cc", message.cc)
    expectMailboxes("Bcc", includesBcc ? message.bcc : [])
    expectMailboxes("Reply-To", message.replyTo.map { [EmailAddress(email: $0)] } ?? [])
    for field in ["Date", "Subject", "Message-ID", "MIME-Version"] {
        fuzzCheck(mail.values(field).count == 1, "\(mail.values(field).count) \(field) fields")
    }
    let subject = try? mail.text("Subject")
    fuzzCheck(subject == message.subject, "Subject: read \(String(describing: subject)), meant \(String(describing: message.subject))")

    func canonical(_ body: String) -> String {
        var result = ""
        var afterCR = false
        for scalar in body.unicodeScalars {
            switch scalar {
            case "\r": result += "\n"
            case "\n": if !afterCR { result += "\n" }
            case "\0": break
            default: result.unicodeScalars.append(scalar)
            }
            afterCR = scalar == "\r"
        }
        return result
    }
    var bodies = [message.text, message.html].compactMap { $0 }.map(canonical)
    if bodies.isEmpty { bodies = [""] }
    fuzzCheck(mail.parts.map(\.text) == bodies, "bodies: read \(mail.parts.map(\.text)), meant \(bodies)")
}
