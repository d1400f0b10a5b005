import Dispatch
import HeraldCore
import HeraldJobs
import Synchronization

/// Compaction: disk use follows live jobs.
///
/// Only a prefix of the log (the oldest segments) is ever compacted: a record about a job (done,
/// dead, attempt) always comes after the job's own record, so deleting the oldest segments can
/// never resurrect a job whose "done" record was deleted while its "added" record stayed. The
/// live records of the prefix are copied into the current segment through the writer (one
/// fdatasync per chunk), then the prefix's files are deleted oldest first, each followed by a
/// directory fsync. A crash at any point leaves either the originals, or the originals and the
/// copies (recovery keeps the later copy of a job id), or the copies only.
extension Spool {
    /// What one compaction did.
    package struct CompactionReport: Sendable, Equatable {
        package var segmentsDeleted = 0
        package var bytesDeleted: Int64 = 0
        package var jobsCopied = 0
    }

    /// Largest chunk of copies written at once.
    private static let chunkBytes = 4 << 20

    /// Compacts whenever a segment is closed and every `interval`, until the spool closes.
    func runCompactor(every interval: Duration) {
        let nanoseconds = interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
        while !stopping.load(ordering: .acquiring) {
            _ = compactorWakeup.wait(timeout: .now() + .nanoseconds(Int(nanoseconds)))
            if stopping.load(ordering: .acquiring) { return }
            compact()
        }
    }

    /// Compacts the oldest segments if at most `compactionThreshold` of their bytes are live:
    /// copies what is live forward and deletes them. Safe to call any time; blocks while it works.
    @discardableResult
    package func compact() -> CompactionReport {
        compactionGate.withLock { _ in compactOnce() }
    }

    private struct Plan {
        var prefix: [UInt32]
        var jobs: [(id: TimeOrderedID, source: RecordLocation, dead: RecordLocation?)]
        var keys: [CompactionChunk.CopiedKey]
        var files: [UInt32: SegmentFile]
    }

    /// Rewrites the whole spool so that its files hold only what is live (`herald forget`):
    /// closes the active segment, copies every live record forward into a new one and deletes
    /// every older segment. Blocks while it works.
    /// - Throws: when the copies cannot be written or a segment cannot be deleted (what is live
    ///   stays readable either way).
    package func rewriteEverything() throws(SpoolError) -> CompactionReport {
        try compactionGate.withLock { _ throws(SpoolError) -> CompactionReport in
            if case .failure(let error) = appendAndWait(PendingWrite(content: .seal, bytes: 0, completion: nil)) {
                throw error
            }
            let report = compactOnce(everything: true)
            let left = shared.withLock { shared in shared.segments.keys.filter { $0 != shared.active }.count }
            guard left == 0 else { throw SpoolError.incomplete(segmentsLeft: left) }
            return report
        }
    }

    private func compactOnce(everything: Bool = false) -> CompactionReport {
        var report = CompactionReport()
        guard let plan = makePlan(everything: everything) else { return report }
        var chunk = CompactionChunk(segments: Set(plan.prefix))
        var copied = 0
        func flush() -> Bool {
            guard !chunk.jobs.isEmpty || !chunk.keys.isEmpty else { return true }
            let result = appendAndWait(PendingWrite(content: .compaction(chunk), bytes: chunk.bytes, completion: nil))
            copied += chunk.jobs.count
            chunk = CompactionChunk(segments: Set(plan.prefix))
            if case .failure(let error) = result {
                logger.warning("compaction stopped: could not write copies", ["error": .string(error.description)])
                return false
            }
            return true
        }
        for job in plan.jobs {
            do throws(SpoolError) {
                guard let file = plan.files[job.source.segment] else { continue }
                let frame = try readFrame(file, at: job.source)
                var dead: (RecordLocation, [UInt8])?
                if let location = job.dead, let deadFile = plan.files[location.segment] {
                    dead = (location, try readFrame(deadFile, at: location))
                }
                chunk.jobs.append(.init(id: job.id, source: job.source, frame: frame, dead: dead))
                chunk.bytes += frame.count + (dead?.1.count ?? 0)
            } catch {
                // The segment holding it stays (it is still referenced), so nothing is lost.
                logger.error(
                    "compaction could not read a record",
                    ["job": .string(job.id.description), "error": .string(error.description)])
            }
            if chunk.bytes >= Spool.chunkBytes, !flush() { return report }
        }
        for key in plan.keys {
            chunk.keys.append(key)
            chunk.bytes += Int(DedupeTable.frameLength)
            if chunk.bytes >= Spool.chunkBytes, !flush() { return report }
        }
        guard flush() else { return report }
        report.jobsCopied = copied

        // Delete the oldest segments nothing points into any more, in log order.
        let deletable = shared.withLock { shared -> [LoadedSegment] in
            var deletable: [LoadedSegment] = []
            for number in plan.prefix {
                guard number != shared.active, (shared.index.usage[number]?.references ?? 0) <= 0,
                    let segment = shared.segments.removeValue(forKey: number)
                else { break }
                shared.index.forgetSegment(number)
                deletable.append(segment)
            }
            return deletable
        }
        for segment in deletable {
            do throws(SpoolError) {
                try SpoolRecovery.remove(segment.file.path, directory: directory, fileSystem: fileSystem)
                report.segmentsDeleted += 1
                report.bytesDeleted += segment.size
            } catch {
                logger.error("could not delete a compacted segment", ["error": .string(error.description)])
                break
            }
        }
        if report.segmentsDeleted > 0 {
            logger.info(
                "compacted the spool",
                [
                    "segments_deleted": .int(report.segmentsDeleted), "bytes_deleted": .int(Int(report.bytesDeleted)),
                    "jobs_copied": .int(report.jobsCopied),
                ])
        }
        return report
    }

    /// Chooses the longest prefix of closed segments whose live share is at most the threshold,
    /// and lists what in it is still needed.
    private func makePlan(everything: Bool) -> Plan? {
        let now = options.clock.now.millisecondsSinceEpoch
        return shared.withLock { shared -> Plan? in
            shared.index.expireDedupeKeys(now: now)
            let closed = shared.segments.keys.filter { $0 != shared.active }.sorted()
            var live = 0
            var total: Int64 = 0
            var end = 0
            for (position, number) in closed.enumerated() {
                live += max(0, shared.index.usage[number]?.liveBytes ?? 0)
                total += shared.segments[number]?.size ?? 0
                if everything || Double(live) <= options.compactionThreshold * Double(total) { end = position + 1 }
            }
            guard end > 0 else { return nil }
            let prefix = Array(closed[..<end])
            let inPrefix = Set(prefix)
            var plan = Plan(prefix: prefix, jobs: [], keys: [], files: [:])
            for number in shared.index.table.numbers {
                let slot = shared.index.table[number]
                guard inPrefix.contains(slot.location.segment) else { continue }
                plan.jobs.append(
                    (slot.id, slot.location, slot.state == .dead ? shared.index.dead[slot.id]?.record : nil))
            }
            // Copy in log order, so that the copies of one ordering key stay in order on disk too.
            plan.jobs.sort { ($0.source.segment, $0.source.offset) < ($1.source.segment, $1.source.offset) }
            shared.index.dedupe.forEach { digest, slot in
                if inPrefix.contains(slot.segment) {
                    plan.keys.append(.init(digest: digest, expiresAt: slot.expiresAt))
                }
            }
            for (number, segment) in shared.segments { plan.files[number] = segment.file }
            return plan
        }
    }

    /// Queues `item` and waits for the writer to finish it.
    private func appendAndWait(_ item: PendingWrite) -> Result<Void, SpoolError> {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, SpoolError>>(.failure(.closed))
        var item = item
        item.completion = { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        // Copies are not refused for back-pressure: they free space, and are bounded by the chunk size.
        if let error = queue.enqueue(item, limit: Int.max) { return .failure(error) }
        done.wait()
        return outcome.withLock { $0 }
    }
}
