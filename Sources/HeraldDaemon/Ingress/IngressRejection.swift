import HeraldCore

/// Why the ingress refuses a request: the one error type of the ingress, answered with its status
/// (`HTTPRejection`) and a message that names what is wrong (never a secret, never the body).
/// The JSON parser's error is kept as the cause.
package struct IngressRejection: HTTPRejection, Equatable, CustomStringConvertible {
    package enum Reason: Sendable, Equatable {
        /// No such path (404).
        case unknownPath
        /// A hook's query string Herald does not know (400).
        case badQuery
        /// The body is not the JSON object of an event (400).
        case badBody
        /// Mandrill's form post is malformed (400).
        case badForm
        /// Mandrill's `mandrill_events` is not a batch of events (400).
        case badMandrillBatch
    }

    package let reason: Reason
    package let message: String
    /// The parser's error, when the body was not JSON.
    package let cause: JSONParseError?

    package init(_ reason: Reason, _ message: String, cause: JSONParseError? = nil) {
        self.reason = reason
        self.message = message
        self.cause = cause
    }

    package var status: Int { reason == .unknownPath ? 404 : 400 }
    package var clientMessage: String { message }
    package var description: String { message }
}
