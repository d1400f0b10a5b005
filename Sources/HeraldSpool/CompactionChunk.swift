import HeraldCore

/// Records that compaction copies from old segments into the current one. They are checked
/// against the index on the writer thread just before they are written, so that a copy always
/// reflects the job's state at its place in the log: a job delivered or dropped meanwhile is not
/// copied, and a copy carries the attempts and next time known at that point.
struct CompactionChunk: Sendable {
    struct CopiedJob: Sendable {
        let id: TimeOrderedID
        /// Where the "job added" record being copied is.
        let source: RecordLocation
        let frame: [UInt8]
        /// The "job dead" record, for a dead letter.
        let dead: (location: RecordLocation, frame: [UInt8])?
    }

    struct CopiedKey: Sendable {
        let digest: UInt128
        let expiresAt: Int64
    }

    /// The segments being emptied.
    let segments: Set<UInt32>
    var jobs: [CopiedJob] = []
    var keys: [CopiedKey] = []
    var bytes = 0

    /// The copies still needed given the index as it is now (everything before them in the log).
    func recordsStillNeeded(by index: SpoolIndex) -> [EncodedRecord] {
        var records: [EncodedRecord] = []
        for job in jobs {
            // A job delivered or dropped meanwhile has its record queued before this copy.
            guard let slot = index.slot(of: job.id), slot.location == job.source else { continue }
            let header = JobHeader(
                id: job.id, attempts: UInt32(slot.attempts), notBefore: slot.notBefore, createdAt: slot.createdAt,
                action: index.action(of: slot), orderingGroup: slot.orderingGroup)
            if slot.state == .dead {
                // Copied only with its death record, read at the same place it still is.
                guard let dead = job.dead, let deadEntry = index.dead[job.id], deadEntry.record == dead.location else {
                    continue
                }
                records.append(.patchedJobAdded(job.frame, header: header))
                records.append(
                    EncodedRecord(
                        record: .jobDead(id: job.id, attempts: UInt32(slot.attempts), diedAt: deadEntry.diedAt),
                        frame: dead.frame))
            } else {
                records.append(.patchedJobAdded(job.frame, header: header))
                if let start = index.seriesStarts[job.id] { records.append(.seriesStarted(job.id, at: start)) }
                if slot.mayHaveSent { records.append(.mayHaveSent(job.id)) }
            }
        }
        for key in keys {
            guard let slot = index.dedupe[key.digest], slot.expiresAt == key.expiresAt,
                segments.contains(slot.segment)
            else { continue }
            records.append(.dedupeKey(digest: key.digest, expiresAt: key.expiresAt))
        }
        return records
    }
}
