import HeraldCore
import HeraldJobs

/// Why the console refused a request; the module's one error type. Its message is shown to the
/// operator (escaped) and holds no secret; a job store's error stays as `cause`.
package struct ConsoleError: Error, Sendable, HTTPRejection {
    package let status: Int
    package let message: String
    package let cause: (any Error & Sendable)?

    package init(_ status: Int, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.status = status
        self.message = message
        self.cause = cause
    }

    /// A job store's refusal with its status (404 unknown, 409 running, 503 unavailable…).
    package init(_ error: JobStoreError) {
        self.init(error.status, error.clientMessage, cause: error)
    }

    package var clientMessage: String { message }
}
