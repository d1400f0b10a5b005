import HeraldCore
import HeraldJobs

extension Spool {
    /// The jobs waiting to run (not dead letters), in planning order: what the scheduler loads
    /// at start-up.
    package var liveJobs: [JobSummary] {
        shared.withLock { SpoolReading.liveJobs(in: $0.index) }
    }

    /// The ids of the jobs waiting to run, in planning order (16 bytes each, where `liveJobs`
    /// makes a summary of each).
    package var queuedIDs: [TimeOrderedID] {
        var ids = shared.withLock { shared in
            var ids: [TimeOrderedID] = []
            shared.index.table.forEachSlot { _, slot in
                if slot.state == .queued || slot.state == .running { ids.append(slot.id) }
            }
            return ids
        }
        ids.sort()
        return ids
    }

    /// A queued job or dead letter with its payload, read from disk.
    /// - Throws: `SpoolError.notFound`, or `.corrupt`/`.io` when its record cannot be read.
    package func job(_ id: TimeOrderedID) throws(SpoolError) -> Job {
        let found = shared.withLock { shared -> (JobTable.Slot, SegmentFile)? in
            guard let slot = shared.index.slot(of: id), let file = shared.segments[slot.location.segment]?.file
            else { return nil }
            return (slot, file)
        }
        guard let (entry, file) = found else { throw .notFound(id) }
        return try SpoolReading.job(entry, in: file)
    }

    /// Whether `key` was recorded with jobs and has not expired at `now`.
    package func seen(_ key: String, now: WallClock) -> Bool {
        let digest = Digest.dedupe(key)
        return shared.withLock { $0.index.dedupe.contains(digest, now: now.millisecondsSinceEpoch) }
    }

    /// The dead letters, oldest first, with their reasons (read from disk).
    package var deadLetters: [DeadLetterSummary] {
        SpoolReading.deadLetters(shared.withLock { SpoolReading.deadListing(in: $0.index, segments: $0.segments) })
    }

    /// One dead letter with its job.
    package func deadLetter(_ id: TimeOrderedID) throws(SpoolError) -> DeadJob {
        let found = shared.withLock { shared -> (JobTable.Slot, RecordLocation, SegmentFile, SegmentFile)? in
            guard let entry = shared.index.slot(of: id), entry.state == .dead, let dead = shared.index.dead[id],
                let jobFile = shared.segments[entry.location.segment]?.file,
                let deadFile = shared.segments[dead.record.segment]?.file
            else { return nil }
            return (entry, dead.record, jobFile, deadFile)
        }
        guard let (jobEntry, deadLocation, jobFile, deadFile) = found else { throw .notFound(id) }
        let job = try SpoolReading.job(jobEntry, in: jobFile)
        let death = try SpoolReading.decodeDeath(
            try readFrame(deadFile, at: deadLocation), file: deadFile, at: deadLocation)
        return DeadJob(job: job, diedAt: death.diedAt, reason: death.reason, lastAnswer: death.lastAnswer)
    }

    /// Depth, oldest job, dedupe keys, disk use, health. Walks the index (a few ms per million jobs).
    package var statistics: SpoolStatistics {
        let writable = isWritable
        return shared.withLock {
            SpoolReading.statistics(
                index: $0.index, segments: $0.segments, isWritable: writable, lastError: $0.lastError)
        }
    }

    func readFrame(_ file: SegmentFile, at location: RecordLocation) throws(SpoolError) -> [UInt8] {
        try SpoolReading.readFrame(file, at: location)
    }
}

extension Spool {
    /// The state of `id`: queued, running, dead, or nil when the store does not have it.
    package func state(of id: TimeOrderedID) -> JobState? {
        shared.withLock { $0.index.slot(of: id)?.state }
    }
}
