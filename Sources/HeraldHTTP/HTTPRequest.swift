/// An HTTP protocol version (only 1.0 and 1.1 are accepted by the parser).
package struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    package var major: Int
    package var minor: Int

    package init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    package static let http1_0 = HTTPVersion(major: 1, minor: 0)
    package static let http1_1 = HTTPVersion(major: 1, minor: 1)

    package var description: String { "HTTP/\(major).\(minor)" }
}

/// How the body of a request is delimited.
package enum HTTPBodyFraming: Sendable, Hashable {
    /// No `Content-Length` and no `Transfer-Encoding`: a request without a body.
    case none
    /// A body of exactly this many bytes (`Content-Length`).
    case length(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
}

/// A parsed request line and header block.
package struct HTTPRequestHead: Sendable, Hashable {
    /// The method token exactly as sent (methods are case-sensitive), e.g. `POST`.
    package var method: String
    /// The request target exactly as sent, e.g. `/v1/events/login/after?x=1`.
    package var target: String
    package var version: HTTPVersion
    /// The header fields in order; trailers of a chunked body are not included.
    package var headers: HTTPHeaders
    /// Whether the connection may stay open after the response: HTTP/1.1 unless `Connection: close`,
    /// HTTP/1.0 only with `Connection: keep-alive`.
    package var keepAlive: Bool
    /// Whether the client sent `Expect: 100-continue` (ignored for HTTP/1.0, as RFC 9110 requires).
    package var expectsContinue: Bool
    package var bodyFraming: HTTPBodyFraming

    package init(
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
    package var path: Substring {
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            return target[..<mark]
        }
        return target[...]
    }

    /// The part of the target after `?`, or nil when there is none.
    package var query: Substring? {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.utf8.index(after: mark)...]
    }

    /// Whether the request announced a body (a positive `Content-Length`, or chunked).
    package var hasBody: Bool {
        switch bodyFraming {
        case .none: false
        case .length(let count): count > 0
        case .chunked: true
        }
    }

    /// The `Content-Length` value, or nil when absent or chunked.
    package var contentLength: Int? {
        if case .length(let count) = bodyFraming { return count }
        return nil
    }
}

/// A complete request: head and body (chunked bodies are decoded).
package struct HTTPRequest: Sendable, Hashable {
    package var head: HTTPRequestHead
    package var body: [UInt8]

    package init(head: HTTPRequestHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }
}
