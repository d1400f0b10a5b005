import HeraldCore

/// Reading records back from segments, and summaries of the index; shared by `Spool` and
/// `SpoolSnapshot`.
enum SpoolReading {
    /// The frame at `location`, its checksum verified.
    static func readFrame(_ file: SegmentFile, at location: RecordLocation) throws(SpoolError) -> [UInt8] {
        let frame = try file.read(count: Int(location.length), at: Int64(location.offset))
        let valid = frame.withUnsafeBytes { raw in
            guard raw.count == Int(location.length) else { return false }
            var scanner = SegmentScanner(bytes: raw, maxRecordBytes: Int(UInt32.max))
            scanner.resyncBudget = 0
            if case .success(let length) = scanner.frame(at: 0) { return length == raw.count }
            return false
        }
        guard valid else {
            throw .corrupt(
                path: file.path, offset: Int64(location.offset), reason: "the record no longer passes its checksum")
        }
        return frame
    }

    /// The job of an index entry, with its latest attempts and next time.
    static func job(_ slot: JobTable.Slot, in file: SegmentFile) throws(SpoolError) -> Job {
        var job = try decodeJob(try readFrame(file, at: slot.location), file: file, at: slot.location)
        job.attempts = Int(slot.attempts)
        job.notBefore = WallClock(millisecondsSinceEpoch: slot.notBefore)
        return job
    }

    static func decodeJob(_ frame: [UInt8], file: SegmentFile, at location: RecordLocation) throws(SpoolError) -> Job {
        let result = frame.withUnsafeBytes { raw in
            Result { () throws(RecordDecodingError) in
                try SpoolRecord.decodeJob(payload: UnsafeRawBufferPointer(rebasing: raw[RecordEncoder.headerSize...]))
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw .corrupt(path: file.path, offset: Int64(location.offset), reason: error.reason)
        }
    }

    static func decodeDeath(_ frame: [UInt8], file: SegmentFile, at location: RecordLocation) throws(SpoolError)
        -> Death
    {
        let result = frame.withUnsafeBytes { raw in
            Result { () throws(RecordDecodingError) in
                try SpoolRecord.decodeDeath(payload: UnsafeRawBufferPointer(rebasing: raw[RecordEncoder.headerSize...]))
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw .corrupt(path: file.path, offset: Int64(location.offset), reason: error.reason)
        }
    }

    /// Live jobs in the order they were planned (by id, which is time-ordered).
    static func liveJobs(in index: SpoolIndex) -> [JobSummary] {
        var summaries: [JobSummary] = []
        summaries.reserveCapacity(index.liveCount)
        for number in index.table.numbers {
            let slot = index.table[number]
            guard slot.state == .queued || slot.state == .running else { continue }
            summaries.append(
                JobSummary(
                    id: slot.id, action: index.action(of: slot),
                    orderingGroup: slot.orderingGroup == 0 ? nil : slot.orderingGroup,
                    createdAt: WallClock(millisecondsSinceEpoch: slot.createdAt),
                    notBefore: WallClock(millisecondsSinceEpoch: slot.notBefore), attempts: Int(slot.attempts)))
        }
        summaries.sort { $0.id < $1.id }
        return summaries
    }

    /// What is needed to list dead letters: the index part, under the lock.
    struct DeadListing {
        var id: TimeOrderedID
        var action: String
        var attempts: Int
        var createdAt: WallClock
        var diedAt: WallClock
        var record: RecordLocation
        var file: SegmentFile?
    }

    static func deadListing(in index: SpoolIndex, segments: [UInt32: LoadedSegment]) -> [DeadListing] {
        var listing: [DeadListing] = []
        for (id, dead) in index.dead {
            guard let slot = index.slot(of: id), slot.state == .dead else { continue }
            listing.append(
                DeadListing(
                    id: id, action: index.action(of: slot), attempts: Int(slot.attempts),
                    createdAt: WallClock(millisecondsSinceEpoch: slot.createdAt),
                    diedAt: WallClock(millisecondsSinceEpoch: dead.diedAt), record: dead.record,
                    file: segments[dead.record.segment]?.file))
        }
        listing.sort { $0.id < $1.id }
        return listing
    }

    /// Reads the reasons of dead letters (outside the lock).
    static func deadLetters(_ listing: [DeadListing]) -> [DeadLetterSummary] {
        listing.map { item in
            var summary = DeadLetterSummary(
                id: item.id, action: item.action, attempts: item.attempts, createdAt: item.createdAt,
                diedAt: item.diedAt,
                reason: "", lastAnswer: nil)
            do throws(SpoolError) {
                guard let file = item.file else { throw .notFound(item.id) }
                let death = try decodeDeath(try readFrame(file, at: item.record), file: file, at: item.record)
                summary.reason = death.reason
                summary.lastAnswer = death.lastAnswer
            } catch {
                summary.reason = "(unreadable: \(error))"
            }
            return summary
        }
    }

    static func statistics(
        index: SpoolIndex, segments: [UInt32: LoadedSegment], isWritable: Bool, lastError: SpoolError?
    ) -> SpoolStatistics {
        var oldest: Int64?
        index.table.forEachSlot { _, slot in
            guard slot.state == .queued || slot.state == .running else { return }
            if oldest == nil || slot.createdAt < oldest! { oldest = slot.createdAt }
        }
        return SpoolStatistics(
            depth: index.liveCount, deadLetters: index.deadCount,
            oldestCreatedAt: oldest.map { WallClock(millisecondsSinceEpoch: $0) }, dedupeKeys: index.dedupe.count,
            dedupeKeysEvicted: index.dedupe.evicted, segments: segments.count,
            bytesOnDisk: segments.values.reduce(0) { $0 + $1.size },
            liveBytes: Int64(index.usage.values.reduce(0) { $0 + max(0, $1.liveBytes) }), isWritable: isWritable,
            lastError: lastError)
    }
}
