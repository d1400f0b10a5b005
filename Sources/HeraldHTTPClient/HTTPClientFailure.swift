import HeraldCore

/// What a failure of `HTTPClient.send` without an answer means: an `Outcome` for the job, or a
/// few words for `herald doctor`. Each plugin still classifies the answers it does get.
package enum HTTPClientFailure {
    /// What a failure without an answer means for the job.
    ///
    /// Only failures before any byte of the request can have left are plain retries: no DNS
    /// answer, connection refused, a failed TLS handshake, a timeout while connecting, a call that
    /// never started. A timeout, a lost connection or a cancellation once the request began to go
    /// out may come after the peer got it, so they are ambiguous; so is an answer over its limit
    /// (the peer answered, so it had the request).
    ///
    /// - Parameters:
    ///   - error: what `send` threw.
    ///   - peer: how the reasons name the peer.
    package static func classify(_ error: HTTPClientError, peer: HTTPPeer) -> Outcome {
        switch error.kind {
        case .unusableURL where !error.mayHaveSent:
            return .failed(reason: "\(peer.url) cannot be used (\(error))")
        case .invalidRequest:
            return .failed(reason: "the request to \(peer.name) cannot be sent (\(error)); not sent")
        case .answerTooLarge:
            return .retry(
                after: nil,
                reason: "the answer of \(peer.name) cannot be read (\(error)); may have been \(peer.effect)",
                ambiguous: true)
        case .cancelled:
            return error.mayHaveSent
                ? .retry(after: nil, reason: "cancelled while sending (may have been \(peer.effect))", ambiguous: true)
                : .retry(after: nil, reason: "cancelled before sending; not sent", ambiguous: false)
        case .busy:
            return .retry(after: nil, reason: "cannot call \(peer.name) now (\(error)); not sent", ambiguous: false)
        default:
            guard error.mayHaveSent else {
                return .retry(after: nil, reason: "cannot reach \(peer.name) (\(error)); not sent", ambiguous: false)
            }
            return .retry(
                after: nil, reason: "no answer from \(peer.name) (\(error)); may have been \(peer.effect)",
                ambiguous: true)
        }
    }

    /// A few words for a failure without an answer, for `herald doctor`.
    package static func describe(_ error: HTTPClientError) -> String {
        error.description
    }
}
