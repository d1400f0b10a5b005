import HeraldCore

/// Why a job store could not do what it was asked; the one error type of HeraldJobs. Its
/// `message` is safe for logs and for operators: the stores put no secret in it (PostgreSQL's
/// redacts the DSN and its password) and no personal data. The store's own error stays as `cause`.
package struct JobStoreError: Error, Sendable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// The store cannot take or change jobs right now (disk full, database away, too much
        /// waiting, shutting down): try again later. The ingress answers 503.
        case unavailable
        /// No such job, or not in the section asked for.
        case notFound
        /// An attempt of the job is under way: an operator cannot run it again now.
        case running
        /// The job's stored record cannot be read back.
        case unreadable
        /// The request makes no sense for the job (a dead letter asked for as a queued job…).
        case invalid
    }

    package let kind: Kind
    package let message: String
    /// The store's own error (`SpoolError`, `PostgresError`), for whoever needs the detail.
    package let cause: (any Error & Sendable)?

    package init(_ kind: Kind, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.cause = cause
    }

    package var description: String { message }
}
