import Foundation

/// An HTTP answer, as `HTTPClient.send` got it: what the plugins' classifiers read.
public struct HTTPClientResponse: Sendable {
    /// The status code.
    public let status: Int
    /// The header fields as URLSession reports them (repeated fields already joined by it).
    public let headers: [(name: String, value: String)]
    /// The body, at most `HTTPClient.Configuration.maximumResponseBytes` of it.
    public let body: [UInt8]

    /// - Parameters:
    ///   - status: the status code.
    ///   - headers: the header fields.
    ///   - body: the body.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the header field `name` (compared ignoring case), if the answer has one.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// `Retry-After`, for `HTTPRetryAfter`.
    public var retryAfter: String? { header("Retry-After") }
}
