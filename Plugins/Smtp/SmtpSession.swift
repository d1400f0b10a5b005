/// What one SMTP session is asked to do: curl's options, already decided.
struct SmtpSession: Sendable {
    var url: String
    var security: SmtpSettings.Security
    var username: String?
    var password: String?
    var authMechanism: String?
    var caFile: String?
    var connectTimeout: Duration
    /// The whole session ends by then.
    var timeout: Duration
    /// The envelope: `MAIL FROM` and one `RCPT TO` each.
    var sender: String
    var recipients: [String]
    /// The RFC 5322 message with CRLF line ends; curl adds the dot-stuffing and the final dot.
    var message: [UInt8]
}

/// The SMTP commands whose answers decide an outcome; the session remembers the last one sent.
enum SmtpCommand: String, Sendable, CaseIterable {
    case ehlo = "EHLO"
    case helo = "HELO"
    case startTLS = "STARTTLS"
    case auth = "AUTH"
    case mail = "MAIL"
    case rcpt = "RCPT"
    case data = "DATA"
    case rset = "RSET"
    case quit = "QUIT"

    /// How a reason names the step: `RCPT TO`, `end of data`.
    func stage(messageSent: Bool) -> String {
        switch self {
        case .mail: return "MAIL FROM"
        case .rcpt: return "RCPT TO"
        case .data: return messageSent ? "end of data" : "DATA"
        default: return rawValue
        }
    }
}

/// How a session ended, as curl and the server said.
struct SmtpSessionResult: Sendable {
    /// curl's `CURLcode` (0 for success).
    var curlCode: Int
    /// curl's error text (`RCPT failed: 550`), empty on success.
    var curlError: String
    /// The server's last reply code (`CURLINFO_RESPONSE_CODE`), 0 before any reply.
    var replyCode: Int
    /// The lines of the server's last complete reply, raw and bounded: never logged as they are.
    var replyLines: [String]
    /// The last command sent, nil before the first.
    var lastCommand: SmtpCommand?
    /// curl read the whole message: after that the server may have accepted it.
    var messageSent: Bool
    /// The calling task was cancelled and the session aborted.
    var cancelled: Bool
    var duration: Duration
}
