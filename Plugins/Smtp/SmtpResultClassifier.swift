internal import CCurl
import HeraldCore

/// Turns how an SMTP session ended into an outcome.
///
/// The server's reply decides when it gave one (RFC 5321 §4.2.1): 4xx is transient (greylisting's
/// 451 4.7.1, a full mailbox's 452, a busy server's 421) and retried; 5xx is permanent (an unknown
/// recipient's 550 5.1.1, a refused login's 535 5.7.8, a refused STARTTLS's 502) and fails with the
/// server's text. curl ends the transaction at the first such reply, so nothing was accepted and a
/// retry cannot duplicate.
///
/// Without a reply, curl's error decides: no connection (refused, unresolvable, unreachable) is
/// retried and never ambiguous; a certificate or TLS set-up the configuration must fix fails; a
/// timeout or a lost connection is retried, and marked ambiguous only once the whole message went
/// out: before the final dot a server must not deliver, after it the lost reply may have been 250.
enum SmtpResultClassifier {
    /// The curl codes this classifier names (`CURLcode` values).
    enum Code {
        static let ok = Int(CURLE_OK.rawValue)
        static let unsupportedProtocol = Int(CURLE_UNSUPPORTED_PROTOCOL.rawValue)
        static let urlMalformed = Int(CURLE_URL_MALFORMAT.rawValue)
        static let couldntResolveProxy = Int(CURLE_COULDNT_RESOLVE_PROXY.rawValue)
        static let couldntResolveHost = Int(CURLE_COULDNT_RESOLVE_HOST.rawValue)
        static let couldntConnect = Int(CURLE_COULDNT_CONNECT.rawValue)
        static let operationTimedOut = Int(CURLE_OPERATION_TIMEDOUT.rawValue)
        static let abortedByCallback = Int(CURLE_ABORTED_BY_CALLBACK.rawValue)
        static let loginDenied = Int(CURLE_LOGIN_DENIED.rawValue)
        static let sendError = Int(CURLE_SEND_ERROR.rawValue)
        static let recvError = Int(CURLE_RECV_ERROR.rawValue)
        static let peerFailedVerification = Int(CURLE_PEER_FAILED_VERIFICATION.rawValue)
        static let sslConnectError = Int(CURLE_SSL_CONNECT_ERROR.rawValue)
        static let useSSLFailed = Int(CURLE_USE_SSL_FAILED.rawValue)

        /// Errors of the TLS set-up that trying again cannot fix: the certificate, the CA file,
        /// the ciphers, a server that will not start TLS.
        static let tlsConfiguration: Set<Int> = Set(
            [
                CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
                CURLE_USE_SSL_FAILED, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
                CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            ].map { Int($0.rawValue) })

        /// Errors of the configuration or the build: the URL, a protocol curl lacks.
        static let configuration: Set<Int> = Set(
            [CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN].map { Int($0.rawValue) })

        /// No connection was made: nothing was said to a server.
        static let noConnection: Set<Int> = Set(
            [CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT].map { Int($0.rawValue) })
    }

    static func classify(_ result: SmtpSessionResult, redactor: RemoteTextRedactor) -> Outcome {
        let stage = result.lastCommand?.stage(messageSent: result.messageSent) ?? "connect"
        if result.curlCode == Code.ok {
            return .delivered(detail: "accepted: \(reply(result, redactor: redactor, limit: 160))")
        }
        if (400..<600).contains(result.replyCode) {
            let answer = "\(stage) answered \(reply(result, redactor: redactor, limit: 300))"
            if result.replyCode < 500 {
                return .retry(after: nil, reason: "\(answer) (temporary; not accepted)", ambiguous: false)
            }
            return .failed(reason: answer)
        }
        let error = redactor.clean(result.curlError, limit: 200)
        if Code.noConnection.contains(result.curlCode) {
            return .retry(after: nil, reason: "cannot connect: \(error); not sent", ambiguous: false)
        }
        if Code.tlsConfiguration.contains(result.curlCode) {
            return .failed(reason: "TLS: \(error) (check the server's certificate, 'ca_file' and 'url')")
        }
        if Code.configuration.contains(result.curlCode) {
            return .failed(reason: "cannot send: \(error)")
        }
        if result.curlCode == Code.loginDenied {
            return .failed(reason: "login refused: \(error)")
        }
        let maybeSent = result.messageSent
        let note =
            maybeSent
            ? "after the whole message was sent (the server may have accepted it)" : "during \(stage); not accepted"
        if result.cancelled {
            return .retry(after: nil, reason: "cancelled \(note)", ambiguous: maybeSent)
        }
        if result.curlCode == Code.operationTimedOut {
            return .retry(
                after: nil, reason: "timed out after \(result.duration.compactDescription) \(note)",
                ambiguous: maybeSent)
        }
        return .retry(after: nil, reason: "\(error) \(note)", ambiguous: maybeSent)
    }

    /// The server's last reply, cleaned (`550 5.1.1 <j***@example.com>: user unknown`); its
    /// code alone when curl got none of its text.
    static func reply(_ result: SmtpSessionResult, redactor: RemoteTextRedactor, limit: Int) -> String {
        let lines = result.replyLines.filter { $0.hasPrefix(String(result.replyCode)) }
        guard !lines.isEmpty else { return result.replyCode > 0 ? String(result.replyCode) : "(no reply)" }
        // A multi-line reply repeats its code on every line: keep it once.
        let text = lines.enumerated().map { index, line in
            index == 0 ? line : String(line.dropFirst(4))
        }.joined(separator: " ")
        return redactor.clean(text, limit: limit)
    }
}
