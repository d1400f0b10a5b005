/// An HTTP answer, as `HTTPClient.send` got it: what the plugins' classifiers read. A redirect
/// (3xx) is an answer like any other: it is never followed.
package struct HTTPClientResponse: Sendable {
    /// The status code.
    package let status: Int
    /// The header fields in the order received, each as its own entry.
    package var headers: [(name: String, value: String)] { headerBlock.fields }
    /// The body, at most the call's `HTTPAnswerLimit` of it.
    package let body: [UInt8]
    /// True when the body was longer than the limit and is cut (`HTTPAnswerLimit.Excess.isCut`).
    package let truncated: Bool
    /// The protocol of the answer: `1.1`, `2`.
    package let httpVersion: String
    private let headerBlock: HTTPHeaderBlock

    /// - Parameters:
    ///   - status: the status code.
    ///   - headers: the header fields.
    ///   - body: the body.
    ///   - truncated: whether the body is cut.
    ///   - httpVersion: the answer's protocol version.
    package init(
        status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], truncated: Bool = false,
        httpVersion: String = "1.1"
    ) {
        self.init(
            status: status, headerBlock: HTTPHeaderBlock(headers), body: body, truncated: truncated,
            httpVersion: httpVersion)
    }

    init(status: Int, headerBlock: HTTPHeaderBlock, body: [UInt8], truncated: Bool, httpVersion: String) {
        self.status = status
        self.headerBlock = headerBlock
        self.body = body
        self.truncated = truncated
        self.httpVersion = httpVersion
    }

    /// The value of the first header field `name` (compared ignoring case), if the answer has one.
    package func header(_ name: String) -> String? {
        headerBlock.value(name)
    }

    /// `Retry-After`, for `HTTPRetryAfter`.
    package var retryAfter: String? { header("Retry-After") }

    /// `Location`: where a redirect points (reported, never followed).
    package var location: String? { header("Location") }
}
