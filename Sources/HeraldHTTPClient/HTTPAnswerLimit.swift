/// How much of an answer's body `HTTPClient` reads, and what happens past it. The limit is
/// enforced while reading: the transfer stops at the first byte past it, so memory never grows
/// with what a peer sends.
///
/// ```swift
/// HTTPAnswerLimit.apiAnswer          // 1 MiB; past it the call fails (the body is parsed)
/// HTTPAnswerLimit.reasonExcerpt      // 64 KiB; past it the body is cut (it is only quoted)
/// ```
package struct HTTPAnswerLimit: Sendable, Equatable {
    /// What a body longer than `bytes` does.
    package enum Excess: Sendable, Equatable {
        /// The call fails with `HTTPClientError.Kind.answerTooLarge`: the body is needed whole.
        case fails
        /// The answer keeps its first `bytes` and says `truncated`: only its status decides.
        case isCut
    }

    /// The most bytes of a body that are read.
    package var bytes: Int
    /// What a longer body does.
    package var excess: Excess

    /// - Parameters:
    ///   - bytes: the most bytes of a body to read (at least 0).
    ///   - excess: what a longer body does.
    package init(bytes: Int, excess: Excess) {
        self.bytes = max(0, bytes)
        self.excess = excess
    }

    /// API answers that are parsed (Mandrill, Mailchimp, Kratos): 1 MiB, past it the call fails.
    package static let apiAnswer = HTTPAnswerLimit(bytes: 1 << 20, excess: .fails)

    /// Answers whose body is only quoted in a reason (webhooks): 64 KiB kept, the rest not read.
    package static let reasonExcerpt = HTTPAnswerLimit(bytes: 64 << 10, excess: .isCut)

    /// `1 MiB`, `64 KiB`, `512 bytes`: the limit as reasons name it.
    package var description: String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
