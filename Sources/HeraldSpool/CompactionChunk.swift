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
            guard let entry = index.jobs[job.id], entry.location == job.source else { continue }
            let header = JobHeader(
                id: job.id, attempts: entry.attempts, notBefore: entry.notBefore, createdAt: entry.createdAt,
                action: index.action(of: entry), orderingGroup: entry.orderingGroup)
            if entry.isDead {
                // Copied only with its death record, read at the same place it still is.
                guard let dead = job.dead, let deadEntry = index.dead[job.id], deadEntry.record == dead.location else {
                    continue
                }
                records.append(.patchedJobAdded(job.frame, header: header))
                records.append(
                    EncodedRecord(
                        record: .jobDead(id: job.id, attempts: entry.attempts, diedAt: deadEntry.diedAt),
                        frame: dead.frame))
            } else {
                records.append(.patchedJobAdded(job.frame, header: header))
            }
        }
        for key in keys {
            guard let slot = index.dedupe.slots[key.digest], slot.expiresAt == key.expiresAt,
                segments.contains(slot.segment)
            else { continue }
            records.append(.dedupeKey(digest: key.digest, expiresAt: key.expiresAt))
        }
        return records
    }
}
