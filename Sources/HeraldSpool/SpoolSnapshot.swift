import Glibc
import HeraldCore
import HeraldJobs

/// A read-only view of a spool, for `herald queue|dead list|show` while a daemon may be running:
/// takes no lock and changes nothing. A torn tail (a batch being written right now) is ignored.
package struct SpoolSnapshot: Sendable {
    let index: SpoolIndex
    let segments: [UInt32: LoadedSegment]

    /// Reads the spool of `stateDirectory` as it is now.
    /// - Throws: `SpoolError.io` when the spool cannot be read.
    package static func open(
        stateDirectory: String, options: SpoolOptions = SpoolOptions(), logger: Logger = .discarding,
        fileSystem: any SpoolFileSystem = RealFileSystem()
    ) throws(SpoolError) -> SpoolSnapshot {
        var attempt = 0
        while true {
            do {
                let recovered = try SpoolRecovery.load(
                    directory: stateDirectory + "/spool", options: options, logger: logger, fileSystem: fileSystem,
                    writable: false)
                return SpoolSnapshot(index: recovered.index, segments: recovered.segments)
            } catch {
                // A running daemon's compaction deleted a segment while we listed them: read again.
                attempt += 1
                guard case .io(_, _, let code) = error, code == ENOENT, attempt < 5 else { throw error }
            }
        }
    }

    package var liveJobs: [JobSummary] { SpoolReading.liveJobs(in: index) }

    package func job(_ id: TimeOrderedID) throws(SpoolError) -> Job {
        guard let slot = index.slot(of: id), let file = segments[slot.location.segment]?.file else {
            throw .notFound(id)
        }
        return try SpoolReading.job(slot, in: file)
    }

    package var deadLetters: [DeadLetterSummary] {
        SpoolReading.deadLetters(SpoolReading.deadListing(in: index, segments: segments))
    }

    package func deadLetter(_ id: TimeOrderedID) throws(SpoolError) -> DeadJob {
        guard let entry = index.slot(of: id), entry.state == .dead, let dead = index.dead[id],
            let jobFile = segments[entry.location.segment]?.file,
            let deadFile = segments[dead.record.segment]?.file
        else { throw .notFound(id) }
        let job = try SpoolReading.job(entry, in: jobFile)
        let death = try SpoolReading.decodeDeath(
            try SpoolReading.readFrame(deadFile, at: dead.record), file: deadFile, at: dead.record)
        return DeadJob(job: job, diedAt: death.diedAt, reason: death.reason, lastAnswer: death.lastAnswer)
    }

    package var statistics: SpoolStatistics {
        SpoolReading.statistics(index: index, segments: segments, isWritable: false, lastError: nil)
    }

    /// The state of `id`: queued, dead, or nil when the spool does not have it.
    package func state(of id: TimeOrderedID) -> JobState? { index.slot(of: id)?.state }
}
