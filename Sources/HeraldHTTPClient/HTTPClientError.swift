internal import CCurl

/// Why `HTTPClient.send` has no answer to give, and whether the request may have reached the
/// peer: what `HTTPClientFailure` turns into an outcome.
package struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    package enum Kind: Sendable, Equatable {
        /// The request cannot be sent as given (a header with a line break, a method with a
        /// space); nothing was sent.
        case invalidRequest(String)
        /// The URL is not an `http` or `https` URL libcurl can use.
        case unusableURL
        /// The host name has no address.
        case hostNotFound
        /// No connection: refused, unreachable.
        case cannotConnect
        /// The TLS handshake failed.
        case tlsFailed
        /// The peer's certificate is not trusted (the system's CA store, or the configured file).
        case certificateRejected
        /// The call's time ran out.
        case timedOut
        /// The connection broke or closed before a whole answer came.
        case connectionLost
        /// What came back is not HTTP Herald can read.
        case badAnswer
        /// The answer's body (or header) is over the call's limit, in bytes; the transfer was
        /// stopped there.
        case answerTooLarge(limit: Int)
        /// The caller's task was cancelled.
        case cancelled
        /// Too many calls in flight in the process (`CurlDriver.defaultCapacity`).
        case busy
        /// libcurl could not be set up (memory).
        case internalFailure
    }

    /// What went wrong.
    package let kind: Kind
    /// False only when no byte of the request can have left Herald: no connection was made, the
    /// TLS handshake failed, or the call never started. A timeout or a lost connection after the
    /// request began to go out may have reached the peer.
    package let mayHaveSent: Bool
    /// The answer's status, when its head had arrived (`answerTooLarge`).
    package let status: Int?
    /// libcurl's code (`CURLcode`), 0 for failures that are Herald's own.
    package let curlCode: Int
    /// libcurl's own words, for TLS failures (`SSL certificate problem: …`); empty otherwise.
    /// Never holds the request's headers or body.
    package let detail: String

    /// - Parameters:
    ///   - kind: what went wrong.
    ///   - mayHaveSent: whether any byte of the request may have left.
    ///   - status: the answer's status, when known.
    ///   - curlCode: libcurl's code, 0 when none.
    ///   - detail: libcurl's words for a TLS failure.
    package init(_ kind: Kind, mayHaveSent: Bool, status: Int? = nil, curlCode: Int = 0, detail: String = "") {
        self.kind = kind
        self.mayHaveSent = mayHaveSent
        self.status = status
        self.curlCode = curlCode
        self.detail = detail
    }

    /// `timed out`, `connection refused`, `answer over 1 MiB`: a few words, for reasons.
    package var description: String {
        switch kind {
        case .invalidRequest(let why): return "invalid request: \(why)"
        case .unusableURL: return "not an http or https URL libcurl can use"
        case .hostNotFound: return "host not found"
        case .cannotConnect: return "connection refused"
        case .tlsFailed: return detail.isEmpty ? "TLS handshake failed" : "TLS handshake failed: \(detail)"
        case .certificateRejected:
            return detail.isEmpty ? "certificate not trusted" : "certificate not trusted: \(detail)"
        case .timedOut: return "timed out"
        case .connectionLost: return "connection lost"
        case .badAnswer: return "not an HTTP answer"
        case .answerTooLarge(let limit):
            let status = status.map { "HTTP \($0), " } ?? ""
            return "\(status)answer over \(HTTPAnswerLimit(bytes: limit, excess: .fails).description); not read further"
        case .cancelled: return "cancelled"
        case .busy: return "too many calls in flight"
        case .internalFailure: return "libcurl could not be set up"
        }
    }

    /// The error for a transfer libcurl ended with `code`.
    ///
    /// - Parameters:
    ///   - requestBytes: what libcurl reports as sent of the request (CURLINFO_REQUEST_SIZE):
    ///     0 means no byte of it went out.
    static func curl(_ code: Int, requestBytes: Int, status: Int, detail: String) -> HTTPClientError {
        let mayHaveSent = requestBytes > 0
        let known = status > 0 ? status : nil
        func error(_ kind: Kind, detail: String = "") -> HTTPClientError {
            HTTPClientError(kind, mayHaveSent: mayHaveSent, status: known, curlCode: code, detail: detail)
        }
        switch UInt32(truncatingIfNeeded: code) {
        case CURLE_UNSUPPORTED_PROTOCOL.rawValue, CURLE_URL_MALFORMAT.rawValue:
            // libcurl also says "unsupported protocol" for an HTTP/0.9 answer: after sending.
            return error(mayHaveSent ? .badAnswer : .unusableURL)
        case CURLE_COULDNT_RESOLVE_HOST.rawValue, CURLE_COULDNT_RESOLVE_PROXY.rawValue:
            return error(.hostNotFound)
        case CURLE_COULDNT_CONNECT.rawValue:
            return error(.cannotConnect)
        case CURLE_PEER_FAILED_VERIFICATION.rawValue, CURLE_SSL_CACERT_BADFILE.rawValue,
            CURLE_SSL_ISSUER_ERROR.rawValue, CURLE_SSL_PINNEDPUBKEYNOTMATCH.rawValue,
            CURLE_SSL_INVALIDCERTSTATUS.rawValue, CURLE_SSL_CRL_BADFILE.rawValue:
            return error(.certificateRejected, detail: detail)
        case CURLE_SSL_CONNECT_ERROR.rawValue, CURLE_SSL_CERTPROBLEM.rawValue, CURLE_SSL_CIPHER.rawValue,
            CURLE_SSL_ENGINE_NOTFOUND.rawValue, CURLE_SSL_ENGINE_SETFAILED.rawValue:
            return error(.tlsFailed, detail: detail)
        case CURLE_OPERATION_TIMEDOUT.rawValue:
            return error(.timedOut)
        case CURLE_GOT_NOTHING.rawValue, CURLE_SEND_ERROR.rawValue, CURLE_RECV_ERROR.rawValue,
            CURLE_PARTIAL_FILE.rawValue, CURLE_HTTP2_STREAM.rawValue, CURLE_HTTP2.rawValue,
            CURLE_SSL_SHUTDOWN_FAILED.rawValue:
            return error(.connectionLost)
        case CURLE_OUT_OF_MEMORY.rawValue, CURLE_FAILED_INIT.rawValue:
            return error(.internalFailure)
        default:
            // CURLE_WEIRD_SERVER_REPLY, a bad chunk, a header libcurl refuses, …
            return error(.badAnswer)
        }
    }
}
