import HeraldCore
import HeraldJobs

/// What operators read and change: every instance shares the database, so `herald queue|dead`
/// work on it directly (no control socket). Each call blocks on the database.
extension PostgresStore {
    package func page(_ section: JobSection, filter: JobFilter, limit: Int) throws(JobStoreError) -> JobPage {
        let (total, items) = try perform { table throws(PostgresError) in
            try table.list(dead: section == .dead, limit: limit, filter: filter)
        }
        return JobPage(total: total, items: items.map(Self.stored))
    }

    package func stored(_ id: TimeOrderedID) throws(JobStoreError) -> StoredJob? {
        try perform { table throws(PostgresError) in try table.find(id) }.map(Self.stored)
    }

    package func retryJob(_ id: TimeOrderedID) throws(JobStoreError) -> WallClock {
        if let next = try perform({ table throws(PostgresError) in try table.retry(id) }) { return next }
        // An instance may have claimed it since it was read: then it is running.
        guard let found = try stored(id) else { throw JobStoreError(.notFound, "no job or dead letter \(id)") }
        throw JobStoreError(found.state == .running ? .running : .notFound, "job \(id) is being attempted right now")
    }

    package func dropJob(_ id: TimeOrderedID) throws(JobStoreError) -> JobState {
        guard let state = try perform({ table throws(PostgresError) in try table.remove(id) }) else {
            throw JobStoreError(.notFound, "no job or dead letter \(id)")
        }
        return state
    }

    /// Each `herald serve` holds connections to the database for as long as it runs.
    package func isServed() throws(JobStoreError) -> Bool {
        try perform { table throws(PostgresError) in try table.serveConnections() } > 0
    }

    /// The database deletes a dropped job's row at once: nothing of it is left for Herald to
    /// rewrite (dead tuples until VACUUM, the WAL and backups are the database's to manage).
    package func scrub() throws(JobStoreError) {}

    private func perform<T>(_ work: (PostgresJobTable) throws(PostgresError) -> T) throws(JobStoreError) -> T {
        switch delivery.runAndWait(work) {
        case .success(let value): return value
        case .failure(let error): throw JobStoreError(error, redact: settings.redacted)
        }
    }

    private static func stored(_ item: PostgresJobTable.Listed) -> StoredJob {
        let job = item.job
        let death = item.diedAt.map { DeadLetter(diedAt: $0, reason: item.reason ?? "", lastAnswer: item.lastAnswer) }
        // The database knows what a running daemon's executor knows: the same words.
        let wait: JobWait? =
            death != nil ? nil : item.running ? .running : item.ahead > 0 ? .earlierJobs(ahead: item.ahead) : .dueTime
        return StoredJob(
            id: job.id, state: death != nil ? .dead : item.running ? .running : .queued, job: job,
            attempts: job.attempts, death: death, wait: wait)
    }
}
