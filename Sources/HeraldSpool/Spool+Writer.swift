import HeraldCore

/// The writer thread: group commit. Everything queued while the previous fdatasync ran goes out
/// with one write and one fdatasync; then the index learns of it and the completions run.
extension Spool {
    /// A record of the batch being written, at `offset` from the start of the batch.
    private struct Placed {
        let record: SpoolRecord
        let offset: Int
        let length: Int
    }

    func runWriter(_ writer: inout WriterState) {
        while true {
            let timeout = writer.needsNewSegment || writer.active == nil ? options.recoveryProbeInterval : nil
            switch queue.take(maxBytes: options.maxBatchBytes, timeout: timeout) {
            case .finished:
                return
            case .idle:
                // Unwritable and nothing to write: see whether a fresh segment can be made now,
                // so that `/readyz` recovers without waiting for traffic.
                startFreshSegment(&writer)
            case .batch(let batch):
                let result = write(batch, &writer)
                for item in batch { item.completion?(result) }
            }
        }
    }

    /// Starts a new segment after a failure or at open; logs and stays unwritable when it cannot.
    func startFreshSegment(_ writer: inout WriterState) {
        do throws(SpoolError) {
            try roll(&writer)
            writable.store(true, ordering: .releasing)
            noteRecovery(writer)
        } catch {
            noteFailure(error)
        }
    }

    /// Clears the last failure; says so in the log only when there was one (not at every start).
    private func noteRecovery(_ writer: WriterState) {
        let recovered = shared.withLock { shared -> Bool in
            defer { shared.lastError = nil }
            return shared.lastError != nil
        }
        if recovered {
            logger.info("the spool is writable again", ["segment": .string(writer.active?.path ?? "")])
        }
    }

    private func write(_ batch: [PendingWrite], _ writer: inout WriterState) -> Result<Void, SpoolError> {
        do throws(SpoolError) {
            if writer.needsNewSegment || writer.active == nil { try roll(&writer) }
            var (buffer, placed) = build(batch)
            if !buffer.isEmpty {
                if writer.size > Int64(SegmentHeader.size)
                    && writer.size + Int64(buffer.count) > Int64(options.segmentSize)
                {
                    try roll(&writer)
                }
                guard let file = writer.active else { throw SpoolError.closed }
                let base = writer.size
                // Never write where zeros are still being written: wait for them (rare: they run
                // ahead by half of `preallocation` or more).
                if writer.extending != nil, let preallocator,
                    base + Int64(buffer.count) > max(writer.zeroedEnd, preallocator.progress)
                {
                    collectZeroing(&writer, wait: true)
                }
                let length = buffer.count
                padToPage(&buffer, at: base, writer)
                do {
                    try file.write(buffer, at: base)
                    try file.synchronize()
                } catch {
                    abandon(file, at: base, &writer)
                    throw error
                }
                writer.size += Int64(length)
                let now = options.clock.now.millisecondsSinceEpoch
                let size = writer.size
                shared.withLock { shared in
                    for record in placed {
                        let location = RecordLocation(
                            segment: file.number, offset: UInt32(base) + UInt32(record.offset),
                            length: UInt32(record.length))
                        shared.index.apply(record.record, at: location, now: now)
                    }
                    shared.segments[file.number]?.size = size
                }
                collectZeroing(&writer, wait: false)
                zeroAhead(&writer)
            }
            if batch.contains(where: { if case .seal = $0.content { true } else { false } }) { try roll(&writer) }
            writable.store(true, ordering: .releasing)
            noteRecovery(writer)
            return .success(())
        } catch {
            noteFailure(error)
            return .failure(error)
        }
    }

    /// Appends zeros to the batch up to the end of its last page, when that page lies in space
    /// zeroed ahead (`build` leaves room for them). The zeros went around the page cache, so a write that ends inside a page
    /// the cache does not hold makes ext4 read that block from the disk first, on the writer's
    /// thread, before the fdatasync (`ext4_block_write_begin` in `perf`: a read per new page).
    /// Writing the page whole needs no read; the next append finds it cached and overwrites the
    /// zeros, which are what the disk holds there already. Recovery reads zeros as the log's end.
    private func padToPage(_ buffer: inout [UInt8], at base: Int64, _ writer: WriterState) {
        guard let preallocator else { return }
        let end = base + Int64(buffer.count)
        let pageEnd = (end + 4095) & ~4095
        let zeroed = writer.extending == nil ? writer.zeroedEnd : max(writer.zeroedEnd, preallocator.progress)
        guard pageEnd > end, pageEnd <= zeroed else { return }
        buffer.append(contentsOf: repeatElement(0, count: Int(pageEnd - end)))
    }

    /// Notes the end of the zeroing in progress (waiting for it when asked to).
    private func collectZeroing(_ writer: inout WriterState, wait: Bool) {
        guard let extending = writer.extending, let preallocator else { return }
        guard let outcome = wait ? preallocator.wait() : preallocator.poll() else { return }
        writer.extending = nil
        switch outcome {
        case .zeroed: writer.zeroedEnd = max(writer.zeroedEnd, extending.to)
        case .failed: writer.zeroingFailed = true
        }
    }

    /// Starts zeroing the next `preallocation` bytes of the active segment once less than half of
    /// that is left ahead of its end (never past the segment size).
    private func zeroAhead(_ writer: inout WriterState) {
        guard let preallocator, writer.extending == nil, !writer.zeroingFailed, let file = writer.active else { return }
        let step = Int64(options.preallocation)
        let from = max(writer.zeroedEnd, writer.size)
        guard from - writer.size < step / 2 else { return }
        // Ends on a 4 KiB boundary, as direct I/O needs.
        let to = min(from + step, Int64(options.segmentSize)) & ~4095
        guard to > from else { return }
        let work = SegmentPreallocator.Extension(path: file.path, from: from, to: to)
        writer.extending = work
        preallocator.start(work)
    }

    /// The batch's frames in one buffer, and where each record is in it.
    private func build(_ batch: [PendingWrite]) -> ([UInt8], [Placed]) {
        var buffer: [UInt8] = []
        // A page more: room for the zeros `padToPage` may add, without copying the batch.
        buffer.reserveCapacity(batch.reduce(0) { $0 + $1.bytes } + 4096)
        var placed: [Placed] = []
        for item in batch {
            let records: [EncodedRecord]
            switch item.content {
            case .records(let list): records = list
            case .compaction(let chunk): records = shared.withLock { chunk.recordsStillNeeded(by: $0.index) }
            case .seal: records = []
            }
            for record in records {
                placed.append(Placed(record: record.record, offset: buffer.count, length: record.frame.count))
                buffer.append(contentsOf: record.frame)
            }
        }
        return (buffer, placed)
    }

    /// After a failed write or fdatasync: cut the segment back to its last synced length and
    /// never append to it again. After an fsync error the kernel may have dropped the dirty
    /// pages and marked them clean (PostgreSQL's "fsyncgate"), so the page cache of this file
    /// cannot be trusted; the next batch goes to a new segment, written and synced from scratch.
    private func abandon(_ file: SegmentFile, at length: Int64, _ writer: inout WriterState) {
        do {
            try file.truncate(to: length)
        } catch {
            // The unsynced bytes may survive; they were never acknowledged, and recovery sees
            // them as a torn tail or, if intact, as jobs the daemon answered 503 for (a
            // possible duplicate, never a loss).
            logger.error(
                "could not truncate a failed write",
                ["segment": .string(file.path), "error": .string(error.description)])
        }
        writer.needsNewSegment = true
    }

    private func noteFailure(_ error: SpoolError) {
        if writable.exchange(false, ordering: .acquiringAndReleasing) {
            logger.error("the spool cannot write; appends fail until it can", ["error": .string(error.description)])
        }
        shared.withLock { $0.lastError = error }
    }

    /// Starts segment `nextNumber`: creates it, writes and syncs its header, syncs the directory.
    /// Numbers are never reused, even after a failed attempt.
    private func roll(_ writer: inout WriterState) throws(SpoolError) {
        if writer.extending != nil { collectZeroing(&writer, wait: true) }
        if let sealed = writer.active, writer.zeroedEnd > writer.size, !writer.needsNewSegment {
            // The zeros past its end are of no use now. Not synced: recovery reads a zero tail
            // as the end of a segment anyway.
            try? sealed.truncate(to: writer.size)
        }
        writer.zeroedEnd = 0
        writer.zeroingFailed = false
        let number = writer.nextNumber
        writer.nextNumber += 1
        let path = directory + "/" + SegmentFile.name(of: number)
        let descriptor: Int32
        do { descriptor = try fileSystem.open(path, mode: .createNew) } catch {
            throw .io(operation: "open", path: path, code: error.code)
        }
        let file = SegmentFile(number: number, path: path, descriptor: descriptor, fileSystem: fileSystem)
        do {
            try file.write(SegmentHeader.bytes(number: number), at: 0)
            try file.synchronize()
            try synchronizeDirectory()
        } catch {
            try? fileSystem.unlink(path)
            try? fileSystem.synchronizeDirectory(directory)
            throw error
        }
        let sealed = writer.active
        writer.active = file
        writer.size = Int64(SegmentHeader.size)
        writer.needsNewSegment = false
        shared.withLock { shared in
            shared.segments[number] = LoadedSegment(file: file, size: Int64(SegmentHeader.size))
            shared.active = number
        }
        logger.debug("started a segment", ["segment": .string(path)])
        if sealed != nil && options.compactionInterval != nil { compactorWakeup.signal() }
    }

    func synchronizeDirectory() throws(SpoolError) {
        do { try fileSystem.synchronizeDirectory(directory) } catch {
            throw .io(operation: "fsync", path: directory, code: error.code)
        }
    }
}
