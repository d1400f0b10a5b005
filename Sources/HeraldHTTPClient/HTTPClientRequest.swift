import FoundationEssentials

/// One request for `HTTPClient.send`: what differs between calls. The client adds
/// `User-Agent: herald` (a header named here replaces it).
package struct HTTPClientRequest: Sendable {
    /// `GET`, `POST`, `PATCH`, …
    package var method: String
    /// An `http` or `https` URL; any other scheme fails the call (`unusableURL`).
    package var url: URL
    /// Sent in order, each as its own field. A name or value with a line break or NUL fails the
    /// call before anything is sent (`invalidRequest`).
    package var headers: [(name: String, value: String)]
    /// The body, or nil to send none.
    package var body: [UInt8]?
    /// How much of the answer is read; nil for the client's `Configuration.answerLimit`.
    package var answerLimit: HTTPAnswerLimit?

    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - url: the whole target URL, query included.
    ///   - headers: headers to send besides `User-Agent`.
    ///   - body: the body, or nil to send none.
    ///   - answerLimit: how much of the answer to read, nil for the client's.
    package init(
        _ method: String, _ url: URL, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        answerLimit: HTTPAnswerLimit? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.answerLimit = answerLimit
    }
}
