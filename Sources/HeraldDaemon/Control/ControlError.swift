import HeraldCore
import HeraldSpool

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

    init(spool error: SpoolError, id: TimeOrderedID?) {
        if case .notFound(let missing) = error {
            self.init(404, "no job or dead letter \(id ?? missing)")
        } else {
            self.init(503, "the spool could not do it: \(error)")
        }
    }

    package var description: String { message }
}
