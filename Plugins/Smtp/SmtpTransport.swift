internal import CCurl
import FoundationEssentials
import HeraldHTTPClient

/// Sends messages through libcurl's SMTP support: curl speaks SMTP, STARTTLS, TLS and AUTH;
/// Herald hands it the envelope and the message and reads back how it went.
///
/// Sessions run on the process' libcurl driver (`CurlDriver`, the thread that also runs the HTTP
/// plugins' calls), never on Swift's cooperative pool; the action's concurrency bounds how many
/// run at once. A cancelled task ends its session at once: the driver removes it from libcurl.
enum SmtpTransport {
    /// Runs one session, ending it when the calling task is cancelled.
    static func run(_ session: SmtpSession) async -> SmtpSessionResult {
        let transfer = SmtpTransfer(session: session)
        let driver = CurlDriver.shared
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<SmtpSessionResult, Never>) in
                transfer.continuation = continuation
                if !driver.submit(transfer) {
                    transfer.continuation = nil
                    continuation.resume(
                        returning: transfer.result(
                            Int(CURLE_FAILED_INIT.rawValue), "too many transfers in flight in the process",
                            cancelled: false))
                }
            }
        } onCancel: {
            driver.cancel(transfer)
        }
    }
}

/// One session's state while curl runs it.
///
/// `@unchecked Sendable`: `session` is immutable; `continuation` is set before
/// `CurlDriver.submit`, whose lock orders that write before the driver's reads; everything else
/// is used only on the driver's thread, where `configure`, curl's callbacks (which reach the
/// transfer through an unretained pointer the driver keeps alive) and `finish` run.
final class SmtpTransfer: CurlTransfer, @unchecked Sendable {
    /// Bounds on what is kept of the server's replies.
    static let maxReplyLines = 8
    static let maxLineLength = 512

    let session: SmtpSession
    let cancellation = CurlCancellation()
    var continuation: CheckedContinuation<SmtpSessionResult, Never>?
    let started = ContinuousClock.now
    var offset = 0
    var messageSent = false
    var lastCommand: SmtpCommand?
    var replyLines: [String] = []
    var pendingLines: [String] = []
    var quitting = false
    private var recipients: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init(session: SmtpSession) {
        self.session = session
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_slist_free_all(recipients)
        errorBuffer.deallocate()
    }

    func result(_ code: Int, _ error: String, replyCode: Int = 0, cancelled: Bool) -> SmtpSessionResult {
        SmtpSessionResult(
            curlCode: code, curlError: error, replyCode: replyCode, replyLines: replyLines,
            lastCommand: lastCommand, messageSent: messageSent, cancelled: cancelled,
            duration: ContinuousClock.now - started)
    }

    func configure(_ handle: UnsafeMutableRawPointer) -> Int {
        for recipient in session.recipients { recipients = curl_slist_append(recipients, recipient) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        return Int(configure(handle, recipients: recipients, errorBuffer: errorBuffer, context: context).rawValue)
    }

    func finish(_ ending: CurlEnding) {
        var reply = 0
        if let handle = ending.handle { _ = herald_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply) }
        let code = CURLcode(UInt32(truncatingIfNeeded: ending.code))
        let error = code == CURLE_OK ? "" : Self.describe(code, buffer: errorBuffer)
        continuation?.resume(returning: result(ending.code, error, replyCode: reply, cancelled: ending.cancelled))
        continuation = nil
    }

    /// Sets every option; the first that curl refuses ends the session before it starts.
    private func configure(
        _ handle: UnsafeMutableRawPointer, recipients: UnsafeMutablePointer<curl_slist>?,
        errorBuffer: UnsafeMutablePointer<CChar>, context: UnsafeMutableRawPointer
    ) -> CURLcode {
        let timeout = max(1, Int(session.timeout / .milliseconds(1)))
        let connectTimeout = min(timeout, max(1, Int(session.connectTimeout / .milliseconds(1))))
        let useSSL = session.security == .none ? CURLUSESSL_NONE : CURLUSESSL_ALL
        var steps: [() -> CURLcode] = [
            { herald_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer) },
            { herald_curl_setopt_string(handle, CURLOPT_URL, self.session.url) },
            { herald_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps") },
            // No SIGALRM for name resolution timeouts: the process has many threads.
            { herald_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) },
            // A session ended while its name is being resolved does not wait for the resolver
            // thread on the driver's thread.
            { herald_curl_setopt_long(handle, CURLOPT_QUICK_EXIT, 1) },
            { herald_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(useSSL.rawValue)) },
            { herald_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeout) },
            { herald_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeout) },
            { herald_curl_setopt_string(handle, CURLOPT_MAIL_FROM, self.session.sender) },
            { herald_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients) },
            { herald_curl_setopt_long(handle, CURLOPT_UPLOAD, 1) },
            { herald_curl_setopt_read(handle, smtpRead) },
            { herald_curl_setopt_pointer(handle, CURLOPT_READDATA, context) },
            // One connection per session, closed (QUIT) when it ends: the driver's connection
            // cache keeps no SMTP session open between messages.
            { herald_curl_setopt_long(handle, CURLOPT_FORBID_REUSE, 1) },
            // Verbose output goes only to the debug callback, which keeps the server's replies
            // and the names of the commands sent, never the lines themselves (AUTH carries the
            // credentials).
            { herald_curl_setopt_debug(handle, smtpDebug) },
            { herald_curl_setopt_pointer(handle, CURLOPT_DEBUGDATA, context) },
            { herald_curl_setopt_long(handle, CURLOPT_VERBOSE, 1) },
        ]
        if let username = session.username, let password = session.password {
            steps.append { herald_curl_setopt_string(handle, CURLOPT_USERNAME, username) }
            steps.append { herald_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
            if let mechanism = session.authMechanism {
                steps.append { herald_curl_setopt_string(handle, CURLOPT_LOGIN_OPTIONS, "AUTH=\(mechanism)") }
            }
        }
        if let caFile = session.caFile {
            steps.append { herald_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        }
        for step in steps {
            let code = step()
            if code != CURLE_OK { return code }
        }
        return CURLE_OK
    }

    /// curl's error text, or its generic text for the code when the buffer is empty.
    private static func describe(_ code: CURLcode, buffer: UnsafeMutablePointer<CChar>) -> String {
        let text = String(cString: buffer)
        return text.isEmpty ? String(cString: curl_easy_strerror(code)) : text
    }

    /// Copies the next part of the message into curl's buffer; 0 at the end.
    fileprivate func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, session.message.count - offset)
        if count <= 0 {
            messageSent = true
            return 0
        }
        session.message.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    /// Notes the command a line sent names (its first word) and keeps the server's replies.
    fileprivate func observe(_ type: curl_infotype, _ bytes: UnsafeBufferPointer<UInt8>) {
        switch type {
        case CURLINFO_HEADER_OUT:
            let word = bytes.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
            if word.count <= 8, let command = SmtpCommand(rawValue: String(decoding: word, as: UTF8.self).uppercased())
            {
                // curl says QUIT as it closes, after a failure too: the answer that decided
                // came before it.
                if command == .quit { quitting = true } else { lastCommand = command }
            }
        case CURLINFO_HEADER_IN where !quitting:
            var text = String(decoding: bytes.prefix(Self.maxLineLength), as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            if pendingLines.count < Self.maxReplyLines { pendingLines.append(text) }
            // `250-…` continues a reply, `250 …` (or a bare code) ends it.
            let utf8 = Array(text.utf8)
            if utf8.count < 4 || utf8[3] != UInt8(ascii: "-") {
                replyLines = pendingLines
                pendingLines = []
            }
        default:
            break
        }
    }
}

private func transfer(_ pointer: UnsafeMutableRawPointer?) -> SmtpTransfer? {
    pointer.map { Unmanaged<SmtpTransfer>.fromOpaque($0).takeUnretainedValue() }
}

private let smtpRead: curl_read_callback = { buffer, size, count, context in
    guard let buffer, let transfer = transfer(context) else { return Int(CURL_READFUNC_ABORT) }
    return transfer.read(into: buffer, capacity: size * count)
}

private let smtpDebug: curl_debug_callback = { _, type, data, size, context in
    guard let data, let transfer = transfer(context) else { return 0 }
    data.withMemoryRebound(to: UInt8.self, capacity: size) { bytes in
        transfer.observe(type, UnsafeBufferPointer(start: bytes, count: size))
    }
    return 0
}
