import HeraldCore
import HeraldJobs

/// Why a control request failed, with the HTTP status the control socket answers: 400 a bad
/// request, 404 no such job (or it is in the other section), 409 the job is running, 503 the
/// spool could not record the change. The CLI exits 2 for 400 and 404, 1 otherwise.
package struct ControlError: Error, Sendable, CustomStringConvertible {
    package let status: Int
    package let message: String

    package init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    /// A store's refusal, with its status: 404 no such job, 409 running, 400 a bad request,
    /// 503 the store could not do it.
    init(_ error: JobStoreError) {
        switch error.kind {
        case .notFound: self.init(404, error.message)
        case .running: self.init(409, error.message)
        case .invalid: self.init(400, error.message)
        case .unavailable, .unreadable: self.init(503, "the store could not do it: \(error.message)")
        }
    }

    package var description: String { message }
}
