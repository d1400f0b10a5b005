import Foundation

/// Renders a message as RFC 5322 text with MIME parts (RFC 2045/2046); non-ASCII header text
/// as RFC 2047 encoded words. The outbox writes it to `.eml` files; the SMTP plugin sends it.
///
/// The `Message-ID` (`<JOB@herald.invalid>`) and `X-Herald-Job` come from the job, so every
/// attempt of one job renders the same message and a receiver can tell a duplicate.
public enum EMLWriter {
    /// The whole message, headers and body, with CRLF line ends.
    ///
    /// - Parameters:
    ///   - message: the rendered parts.
    ///   - job: gives the `Date`, `Message-ID` and the `X-Herald-*` headers.
    ///   - includesBcc: writes a `Bcc` header; an audit copy keeps it, a message handed to a mail
    ///     server must not (every recipient would see it).
    public static func render(_ message: RenderedEmail, job: Job, includesBcc: Bool = true) -> String {
        var headers: [(String, String)] = []
        headers.append(("Date", rfc5322Date(job.createdAt)))
        if let from = message.from { headers.append(("From", mailbox(from))) }
        headers.append(("To", message.to.map(mailbox).joined(separator: ", ")))
        if !message.cc.isEmpty { headers.append(("Cc", message.cc.map(mailbox).joined(separator: ", "))) }
        if includesBcc, !message.bcc.isEmpty {
            headers.append(("Bcc", message.bcc.map(mailbox).joined(separator: ", ")))
        }
        if let replyTo = message.replyTo { headers.append(("Reply-To", replyTo)) }
        headers.append(("Subject", encodedWord(message.subject ?? "")))
        headers.append(("Message-ID", "<\(job.id)@herald.invalid>"))
        headers.append(("X-Herald-Job", job.id.description))
        headers.append(("X-Herald-Event", "\(job.eventName) \(job.eventID)"))
        headers.append(("MIME-Version", "1.0"))

        var parts: [(type: String, body: String)] = []
        if let text = message.text { parts.append(("text/plain", text)) }
        if let html = message.html { parts.append(("text/html", html)) }
        if parts.isEmpty, let template = job.payload["template"]?.string {
            parts.append(("text/plain", "(rendered by the provider from template '\(template)')\n"))
        }

        var output = ""
        if parts.count == 1 {
            let (encoding, body) = encodeBody(parts[0].body)
            headers.append(("Content-Type", "\(parts[0].type); charset=utf-8"))
            headers.append(("Content-Transfer-Encoding", encoding))
            output = headers.map { "\($0.0): \($0.1)" }.joined(separator: "\r\n") + "\r\n\r\n" + body
        } else {
            let boundary = "herald-\(job.id)"
            headers.append(("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))
            output = headers.map { "\($0.0): \($0.1)" }.joined(separator: "\r\n") + "\r\n\r\n"
            for part in parts {
                let (encoding, body) = encodeBody(part.body)
                output += "--\(boundary)\r\nContent-Type: \(part.type); charset=utf-8\r\n"
                output += "Content-Transfer-Encoding: \(encoding)\r\n\r\n\(body)\r\n"
            }
            output += "--\(boundary)--\r\n"
        }
        return output
    }

    /// `Name <email>` with the name encoded when needed; just the address without a name.
    public static func mailbox(_ address: EmailAddress) -> String {
        guard let name = address.name, !name.isEmpty else { return address.email }
        let isPlain = name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || $0 == " " || $0.properties.numericType != nil)
        }
        return "\(isPlain ? name : encodedWord(name)) <\(address.email)>"
    }

    /// RFC 2047 `=?UTF-8?B?…?=` when the text is not printable ASCII.
    public static func encodedWord(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !$0.isASCII || $0.value < 0x20 }) else { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    /// 8bit with CRLF line ends when every line fits RFC 5322's 998 octets; base64 otherwise.
    public static func encodeBody(_ text: String) -> (encoding: String, body: String) {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        if lines.allSatisfy({ $0.utf8.count <= 998 }) {
            return ("8bit", lines.joined(separator: "\r\n"))
        }
        let encoded = Data(text.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        return ("base64", encoded)
    }

    public static func rfc5322Date(_ time: WallClock) -> String {
        var seconds = time_t(time.millisecondsSinceEpoch / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let clock = String(format: "%02d:%02d:%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        let day = String(format: "%02d", Int(parts.tm_mday))
        return
            "\(days[Int(parts.tm_wday)]), \(day) \(months[Int(parts.tm_mon)]) \(Int(parts.tm_year) + 1900) \(clock) +0000"
    }
}
