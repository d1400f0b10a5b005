/// An error that reaches an HTTP client, with the status it is answered with and what the client
/// is told (no secrets, no internals; the log has the rest). The one way an error becomes a
/// status: an error that is not an `HTTPRejection` is a 500 with its details only in the log.
package protocol HTTPRejection: Error, Sendable {
    /// The status the client gets.
    var status: Int { get }
    /// What the client is told.
    var clientMessage: String { get }
}
