import Glibc
import HeraldCore

/// Why the spool could not do something. Every failed append carries one; the daemon answers 503
/// for any of them, so that Kratos retries.
package enum SpoolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: `operation` (`write`, `fdatasync`, `open`, …) on `path` with `errno`.
    case io(operation: String, path: String, code: Int32)
    /// A write made no progress (it returned 0 bytes).
    case shortWrite(path: String, expected: Int, written: Int)
    /// Another process holds the writer lock of this state directory.
    case locked(path: String)
    /// No live job or dead letter has this id.
    case notFound(TimeOrderedID)
    /// The change needs the job to wait, and an attempt of it is under way.
    case running(TimeOrderedID)
    /// A stored record failed its checksum or could not be decoded.
    case corrupt(path: String, offset: Int64, reason: String)
    /// More bytes wait to be written than the spool accepts (back-pressure: try again later).
    case overloaded(queuedBytes: Int)
    /// One record would be larger than the spool accepts.
    case recordTooLarge(bytes: Int, limit: Int)
    /// The spool was closed.
    case closed
    /// A rewrite of the whole spool left segments behind (a record could not be copied or a file
    /// deleted; the log says which).
    case incomplete(segmentsLeft: Int)

    /// True when the disk is full (`ENOSPC` or `EDQUOT`).
    package var isDiskFull: Bool {
        if case .io(_, _, let code) = self { return code == ENOSPC || code == EDQUOT }
        return false
    }

    package var description: String {
        switch self {
        case .io(let operation, let path, let code):
            return "\(operation) \(path): \(String(cString: strerror(code))) (errno \(code))"
        case .shortWrite(let path, let expected, let written):
            return "short write to \(path): \(written) of \(expected) bytes"
        case .locked(let path):
            return "another herald is using this state_dir (\(path) is locked)"
        case .notFound(let id):
            return "no job or dead letter \(id)"
        case .running(let id):
            return "job \(id) is being attempted right now"
        case .corrupt(let path, let offset, let reason):
            return "corrupt record in \(path) at offset \(offset): \(reason)"
        case .overloaded(let queuedBytes):
            return "the spool is overloaded (\(queuedBytes) bytes waiting to be written)"
        case .recordTooLarge(let bytes, let limit):
            return "a record of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .closed:
            return "the spool is closed"
        case .incomplete(let segmentsLeft):
            return "\(segmentsLeft) old segment\(segmentsLeft == 1 ? "" : "s") could not be rewritten (see the log)"
        }
    }
}
