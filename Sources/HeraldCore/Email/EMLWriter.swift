import FoundationEssentials
import Glibc

/// Renders a message as RFC 5322 text with MIME parts (RFC 2045/2046): the `.eml` the outbox
/// writes and the message the SMTP plugin sends.
///
/// Whatever the event put into the message, the result holds exactly the mailboxes and fields
/// Herald meant: every address is a plain address (else `MailAddressProblem` is thrown), display
/// names and the subject are atoms, a quoted string or RFC 2047 encoded words
/// (`MailHeaderEncoder`), header lines are folded within 78 characters, and the whole text is
/// 7-bit with CRLF line ends and no NUL (`MailBodyEncoder`).
///
/// The `Message-ID` (`<JOB@herald.invalid>`) and `X-Herald-Job` come from the job, so every
/// attempt of one job renders the same message and a receiver can tell a duplicate.
package enum EMLWriter {
    /// The whole message, headers and body, with CRLF line ends.
    ///
    /// - Parameters:
    ///   - message: the rendered parts. Addresses that rendered empty are left out.
    ///   - job: gives the `Date`, `Message-ID` and the `X-Herald-*` headers.
    ///   - includesBcc: writes a `Bcc` header; an audit copy keeps it, a message handed to a mail
    ///     server must not (every recipient would see it).
    /// - Throws: `MailAddressProblem` when an address is not a plain address.
    package static func render(
        _ message: RenderedEmail, job: Job, includesBcc: Bool = true
    ) throws(MailAddressProblem) -> String {
        if let problem = message.addressProblem { throw problem }
        let from = message.from.flatMap { $0.isBlank ? nil : $0 }
        let to = message.to.filter { !$0.isBlank }
        let cc = message.cc.filter { !$0.isBlank }
        let bcc = message.bcc.filter { !$0.isBlank }
        var headers: [String] = []
        func add(_ name: String, _ tokens: [String]) { headers.append(MailHeaderEncoder.field(name, tokens)) }
        add("Date", [rfc5322Date(job.createdAt)])
        if let from { add("From", MailHeaderEncoder.mailbox(from)) }
        if !to.isEmpty { add("To", MailHeaderEncoder.mailboxList(to)) }
        if !cc.isEmpty { add("Cc", MailHeaderEncoder.mailboxList(cc)) }
        if includesBcc, !bcc.isEmpty { add("Bcc", MailHeaderEncoder.mailboxList(bcc)) }
        if let replyTo = message.replyTo, !EmailAddress(email: replyTo).isBlank { add("Reply-To", [replyTo]) }
        add("Subject", MailHeaderEncoder.unstructured(message.subject ?? ""))
        add("Message-ID", ["<\(job.id)@herald.invalid>"])
        add("X-Herald-Job", [job.id.description])
        add("X-Herald-Event", [job.eventName.description, job.eventID.description])
        add("MIME-Version", ["1.0"])

        var parts: [(type: String, body: String)] = []
        if let text = message.text { parts.append(("text/plain", text)) }
        if let html = message.html { parts.append(("text/html", html)) }
        if parts.isEmpty, let template = job.payload["template"]?.string {
            parts.append(("text/plain", "(rendered by the provider from template '\(template)')\n"))
        }
        if parts.isEmpty { parts.append(("text/plain", "")) }

        if parts.count == 1 {
            let (encoding, body) = MailBodyEncoder.encode(parts[0].body)
            add("Content-Type", ["\(parts[0].type);", "charset=utf-8"])
            add("Content-Transfer-Encoding", [encoding])
            return headers.joined(separator: "\r\n") + "\r\n\r\n" + body
        }
        let boundary = "herald-\(job.id)"
        add("Content-Type", ["multipart/alternative;", "boundary=\"\(boundary)\""])
        var output = headers.joined(separator: "\r\n") + "\r\n\r\n"
        for part in parts {
            var (encoding, body) = MailBodyEncoder.encode(part.body)
            // A part must not hold its delimiter; base64 has no '-', so it never does. Searched as
            // bytes: a String search would join a combining mark after the delimiter to it.
            if Array(body.utf8).contains(Array(("--" + boundary).utf8)) {
                (encoding, body) = ("base64", MailBodyEncoder.base64(part.body))
            }
            output += "--\(boundary)\r\nContent-Type: \(part.type); charset=utf-8\r\n"
            output += "Content-Transfer-Encoding: \(encoding)\r\n\r\n\(body)\r\n"
        }
        output += "--\(boundary)--\r\n"
        return output
    }

    package static func rfc5322Date(_ time: WallClock) -> String {
        var seconds = time_t(time.millisecondsSinceEpoch / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let clock = "\(parts.tm_hour.zeroPadded(2)):\(parts.tm_min.zeroPadded(2)):\(parts.tm_sec.zeroPadded(2))"
        let day = parts.tm_mday.zeroPadded(2)
        return
            "\(days[Int(parts.tm_wday)]), \(day) \(months[Int(parts.tm_mon)]) \(Int(parts.tm_year) + 1900) \(clock) +0000"
    }
}
