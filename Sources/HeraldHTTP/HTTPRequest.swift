/// An HTTP protocol version (only 1.0 and 1.1 are accepted by the parser).
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// How the body of a request is delimited.
public enum HTTPBodyFraming: Sendable, Hashable {
    /// No `Content-Length` and no `Transfer-Encoding`: a request without a body.
    case none
    /// A body of exactly this many bytes (`Content-Length`).
    case length(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
}

/// A parsed request line and header block.
public struct HTTPRequestHead: Sendable, Hashable {
    /// The method token exactly as sent (methods are case-sensitive), e.g. `POST`.
    public var method: String
    /// The request target exactly as sent, e.g. `/v1/events/login/after?x=1`.
    public var target: String
    public var version: HTTPVersion
    /// The header fields in order; trailers of a chunked body are not included.
    public var headers: HTTPHeaders
    /// Whether the connection may stay open after the response: HTTP/1.1 unless `Connection: close`,
    /// HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool
    /// Whether the client sent `Expect: 100-continue` (ignored for HTTP/1.0, as RFC 9110 requires).
    public var expectsContinue: Bool
    public var bodyFraming: HTTPBodyFraming

    public init(
        method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:],
        keepAlive: Bool = true, expectsContinue: Bool = false, bodyFraming: HTTPBodyFraming = .none
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.bodyFraming = bodyFraming
    }

    /// The target up to `?` (the whole target when there is no query).
    public var path: Substring {
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            return target[..<mark]
        }
        return target[...]
    }

    /// The part of the target after `?`, or nil when there is none.
    public var query: Substring? {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.utf8.index(after: mark)...]
    }

    /// Whether the request announced a body (a positive `Content-Length`, or chunked).
    public var hasBody: Bool {
        switch bodyFraming {
        case .none: false
        case .length(let count): count > 0
        case .chunked: true
        }
    }

    /// The `Content-Length` value, or nil when absent or chunked.
    public var contentLength: Int? {
        if case .length(let count) = bodyFraming { return count }
        return nil
    }
}

/// A complete request: head and body (chunked bodies are decoded).
public struct HTTPRequest: Sendable, Hashable {
    public var head: HTTPRequestHead
    public var body: [UInt8]

    public init(head: HTTPRequestHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }
}
