/// An action that keeps personal data of its own after it performed a job (the outbox's files),
/// so that `herald forget|export` and retention reach it as well as the job store.
///
/// **Implementation requirements**
/// - Consider only what the action itself wrote (its own file names in its own directory).
/// - Blocking is allowed (callers run these on a dedicated queue), but bounded: one pass over
///   what is kept.
/// - Errors name paths and causes, never the person's data.
package protocol PersonalDataKeeper: Sendable {
    /// The key under `actions:`.
    var name: String { get }
    /// What it keeps: `outbox files` (for reports).
    var keptKind: String { get }
    /// Everything it keeps that names `subject`, one JSON object per item (an access request).
    func export(_ subject: DataSubject) throws(KeptDataError) -> [JSON]
    /// Removes everything it keeps that names `subject`, durably; returns how many items.
    func forget(_ subject: DataSubject) throws(KeptDataError) -> Int
    /// Removes what it wrote before `cutoff` (retention); returns how many items.
    func expire(before cutoff: WallClock) throws(KeptDataError) -> Int
}

/// Why a `PersonalDataKeeper` could not read or remove what it keeps.
package struct KeptDataError: Error, Sendable, CustomStringConvertible {
    /// What it was doing (`read`, `unlink`, `list`).
    package var operation: String
    package var path: String
    /// The `errno` value.
    package var code: Int32

    package init(_ operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    package var description: String { "\(operation) \(path): errno \(code)" }
}
