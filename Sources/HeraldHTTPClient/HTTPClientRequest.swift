import Foundation

/// One request for `HTTPClient.send`: what differs between calls. The client adds
/// `User-Agent: herald` (a header named here replaces it).
public struct HTTPClientRequest: Sendable {
    /// `GET`, `POST`, `PATCH`, …
    public var method: String
    public var url: URL
    /// Set in order on the request; a later value for the same name replaces an earlier one.
    public var headers: [(name: String, value: String)]
    /// The body, or nil to send none.
    public var body: [UInt8]?

    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - url: the whole target URL, query included.
    ///   - headers: headers to send besides `User-Agent`.
    ///   - body: the body, or nil to send none.
    public init(_ method: String, _ url: URL, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
