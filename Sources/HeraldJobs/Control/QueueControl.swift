import HeraldCore

/// What `herald queue|dead` ask of a store, answered as JSON in the shapes `JobControl` gives
/// (the CLI prints them as tables, or as they are with `--json`). The local spool's answers come
/// through the running daemon's control socket when one holds the spool; PostgreSQL's directly.
///
/// Every method blocks on the store; call it from a dedicated thread or queue.
package protocol QueueControl: Sendable {
    /// `{"total": N, "jobs"|"dead_letters": [...]}`, oldest first, at most `limit` (0: all) of
    /// those `filter` matches (`total` counts the matches).
    func list(_ section: JobSection, limit: Int, filter: JobFilter) throws(JobStoreError) -> JSON
    /// Puts every dead letter `filter` matches back in the queue; with `dryRun`, only says which.
    /// `{"matched": N, "dry_run": bool, "ids": [...], "retried": [...]}`.
    func retryDead(matching filter: JobFilter, dryRun: Bool) throws(JobStoreError) -> JSON
    /// One job with its rendered payload; a dead letter with its reason and last answer.
    func show(_ section: JobSection, _ id: TimeOrderedID) throws(JobStoreError) -> JSON
    /// Runs a queued job now, or puts a dead letter back in the queue as a new series of attempts.
    func retry(_ section: JobSection, _ id: TimeOrderedID) throws(JobStoreError) -> JSON
    /// Removes a queued job or a dead letter for good.
    func drop(_ section: JobSection, _ id: TimeOrderedID) throws(JobStoreError) -> JSON
    /// Removes everything Herald holds about `subject` (`herald forget`): queued jobs, dead
    /// letters, what actions keep (outbox files); then scrubs the store.
    /// `{"jobs": N, "dead_letters": N, "files": N, "subject_digest": "…"}`.
    func forget(_ subject: DataSubject) throws(JobStoreError) -> JSON
    /// Everything Herald holds about `subject` (`herald export`), with payloads.
    func export(_ subject: DataSubject) throws(JobStoreError) -> JSON
}
