import Glibc

/// Everything that can go wrong in HeraldHTTP: malformed or oversized requests (each mapped to the
/// status the server answers with) and failures of the sockets underneath.
package enum HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request violates HTTP/1.1 syntax or framing rules (400). The text says which rule.
    case malformed(String)
    /// The client did not send the request head or body in time (408).
    case requestTimeout
    /// The body is larger than `HTTPLimits.maxBodySize` (413).
    case contentTooLarge
    /// The request line is longer than `HTTPLimits.maxRequestLineLength` (414).
    case requestLineTooLong
    /// The header block (or chunked trailer block) is too large or has too many fields (431).
    case headerFieldsTooLarge
    /// A transfer coding other than `chunked` was announced (501).
    case unsupportedTransferEncoding
    /// The request's HTTP version is not 1.0 or 1.1 (505).
    case unsupportedVersion
    /// A listen address could not be understood.
    case invalidAddress(String)
    /// A system call failed with `errno`.
    case system(call: String, errno: Int32)
    /// An answer to `HTTPProbe` did not come in time.
    case responseTimeout
    /// An answer to `HTTPProbe` was not HTTP, or too long. The text says how.
    case malformedResponse(String)

    /// The status the server answers when this error comes from a request; 500 for the others.
    package var status: Int {
        switch self {
        case .malformed: 400
        case .requestTimeout: 408
        case .contentTooLarge: 413
        case .requestLineTooLong: 414
        case .headerFieldsTooLarge: 431
        case .unsupportedTransferEncoding: 501
        case .unsupportedVersion: 505
        case .invalidAddress, .system, .responseTimeout, .malformedResponse: 500
        }
    }

    package var description: String {
        switch self {
        case .malformed(let why): "malformed request: \(why)"
        case .requestTimeout: "request timeout"
        case .contentTooLarge: "request body too large"
        case .requestLineTooLong: "request line too long"
        case .headerFieldsTooLarge: "request header fields too large"
        case .unsupportedTransferEncoding: "unsupported transfer encoding"
        case .unsupportedVersion: "HTTP version not supported"
        case .invalidAddress(let text): "invalid listen address: \(text)"
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .responseTimeout: "no answer in time"
        case .malformedResponse(let why): "malformed answer: \(why)"
        }
    }
}
