import HeraldCore

/// How failure reasons name the other end of an HTTP action, and what a request to it does:
/// `HTTPClientFailure` builds its texts from these.
///
/// ```swift
/// HTTPPeer(name: "Mandrill", url: "the Mandrill URL", effect: "sent")
/// // "cannot reach Mandrill (connection refused); not sent"
/// // "no answer from Mandrill (timed out); may have been sent"
/// ```
package struct HTTPPeer: Sendable {
    /// The peer in "cannot reach …" and "no answer from …": `Mandrill`, `the endpoint`.
    package let name: String
    /// The URL in "… cannot be used": `the Mandrill URL`, `the webhook URL`.
    package let url: String
    /// What the request may have done, in "may have been …": `sent`, `applied`, `processed`.
    package let effect: String

    /// - Parameters:
    ///   - name: the peer, as a failure reason names it.
    ///   - url: the URL, as a failure reason names it.
    ///   - effect: the participle for what a request may have done.
    package init(name: String, url: String, effect: String) {
        self.name = name
        self.url = url
        self.effect = effect
    }
}

extension HTTPPeer {
    /// The reason for a redirect, which Herald never follows: `Mandrill answered HTTP 307, a
    /// redirect to https://…; redirects are not followed, check base_url`. The `Location` goes
    /// through `redactor` (the action's secrets masked, control characters dropped, cut short).
    ///
    /// - Parameters:
    ///   - status: the 3xx status.
    ///   - location: the answer's `Location`, if it had one.
    ///   - redactor: the action's redactor.
    ///   - fix: what the operator should do (`check base_url`).
    package func redirectReason(status: Int, location: String?, redactor: RemoteTextRedactor, fix: String) -> String {
        let target = location.map { " to \(redactor.clean($0, limit: 160))" } ?? " without a Location"
        return "\(name) answered HTTP \(status), a redirect\(target); redirects are not followed, \(fix)"
    }
}
