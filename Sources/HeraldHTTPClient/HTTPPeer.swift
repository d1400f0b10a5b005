/// How failure reasons name the other end of an HTTP action, and what a request to it does:
/// `HTTPClientFailure` builds its texts from these.
///
/// ```swift
/// HTTPPeer(name: "Mandrill", url: "the Mandrill URL", effect: "sent")
/// // "cannot reach Mandrill (connection refused); not sent"
/// // "no answer from Mandrill (timed out); may have been sent"
/// ```
public struct HTTPPeer: Sendable {
    /// The peer in "cannot reach …" and "no answer from …": `Mandrill`, `the endpoint`.
    public let name: String
    /// The URL in "… cannot be used": `the Mandrill URL`, `the webhook URL`.
    public let url: String
    /// What the request may have done, in "may have been …": `sent`, `applied`, `processed`.
    public let effect: String

    /// - Parameters:
    ///   - name: the peer, as a failure reason names it.
    ///   - url: the URL, as a failure reason names it.
    ///   - effect: the participle for what a request may have done.
    public init(name: String, url: String, effect: String) {
        self.name = name
        self.url = url
        self.effect = effect
    }
}
