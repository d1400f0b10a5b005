import Dispatch
import FoundationEssentials
import Glibc
import HeraldCore
import HeraldJobs
import Synchronization

/// The durable job store: an append-only log of records in `state_dir/spool/`, written with group
/// commit, with an in-memory index of what is queued, dead or deduplicated.
///
/// A job counts as stored only when the completion of `add` reports success: its record is then
/// on disk (fdatasync'd) and the daemon may answer 202. Later changes (attempts, delivery, death)
/// are appended the same way; their completions are optional, because losing one in a crash only
/// means an extra attempt. Payloads stay on disk and are read back by `job(_:)`.
///
/// ```swift
/// let spool = try Spool.open(stateDirectory: "/var/lib/herald", logger: logger)
/// spool.add(jobs, dedupeKeys: [DedupeKey(triggerID, expiresAt: now.adding(.seconds(86_400)))]) { result in
///     // .success: answer 202; .failure: answer 503 so that Kratos retries
/// }
/// ```
package final class Spool: Sendable {
    /// State shared by the writer, the compactor and readers.
    struct Shared {
        var index: SpoolIndex
        var segments: [UInt32: LoadedSegment]
        /// The segment being appended to (nil until one could be created).
        var active: UInt32?
        var lastError: SpoolError?
    }

    /// What only the writer thread touches.
    struct WriterState {
        var active: SegmentFile?
        var size: Int64 = 0
        /// Set after any failed write or sync: the next write goes to a fresh segment.
        var needsNewSegment = false
        var nextNumber: UInt32
        /// Bytes from `size` up to here in the active file are zeros (preallocated).
        var zeroedEnd: Int64 = 0
        /// Zeros being written ahead of the active file's end right now.
        var extending: SegmentPreallocator.Extension?
        /// Zeroing failed for the active file (disk full): append without it until the next one.
        var zeroingFailed = false
    }

    /// `state_dir/spool`.
    package let directory: String
    let options: SpoolOptions
    let logger: Logger
    let fileSystem: any SpoolFileSystem
    let shared: Mutex<Shared>
    let queue = CommitQueue()
    let writable = Atomic<Bool>(false)
    let lockDescriptor: Int32
    let closed = Atomic<Bool>(false)
    let writerFinished = DispatchSemaphore(value: 0)
    let compactorWakeup = DispatchSemaphore(value: 0)
    let compactorFinished = DispatchSemaphore(value: 0)
    let stopping = Atomic<Bool>(false)
    /// Held while compacting, so that the background compactor and `compact()` take turns.
    let compactionGate = Mutex(())
    /// Zeros ahead of the active segment's end; nil when `options.preallocation` is 0.
    let preallocator: SegmentPreallocator?
    /// The executor's doorbell, once one performs this spool's jobs (`deliverWakeUps(to:)`).
    let executorDoorbell = Mutex<Doorbell?>(nil)

    private init(
        directory: String, options: SpoolOptions, logger: Logger, fileSystem: any SpoolFileSystem,
        recovered: RecoveredSpool, lockDescriptor: Int32
    ) {
        self.directory = directory
        var options = options
        options.segmentSize = min(max(options.segmentSize, 4096), SpoolOptions.segmentLimit)
        options.maxRecordBytes = min(options.maxRecordBytes, SpoolOptions.recordLimit)
        self.options = options
        self.logger = logger
        self.fileSystem = fileSystem
        self.lockDescriptor = lockDescriptor
        preallocator =
            options.preallocation > 0 ? SegmentPreallocator(fileSystem: fileSystem, logger: logger) : nil
        var index = recovered.index
        // From now on transitions change states as they happen; records only move bookkeeping.
        index.isLive = true
        self.shared = Mutex(Shared(index: index, segments: recovered.segments, active: recovered.appendTo?.number))
    }

    /// Opens (creating if needed) the spool of `stateDirectory`, recovers it and starts the writer.
    ///
    /// Never refuses to start because of damaged records: a torn tail is truncated, corruption is
    /// logged and skipped. When no segment can be written (disk full), the spool opens unwritable
    /// and keeps trying.
    /// - Throws: `SpoolError.locked` when another process uses the state directory; `.io` when the
    ///   directory or a segment cannot be read.
    package static func open(
        stateDirectory: String, options: SpoolOptions = SpoolOptions(), logger: Logger,
        fileSystem: any SpoolFileSystem = RealFileSystem()
    ) throws(SpoolError) -> Spool {
        let directory = stateDirectory + "/spool"
        for path in [stateDirectory, directory] {
            do { try fileSystem.makeDirectory(path) } catch {
                throw .io(operation: "mkdir", path: path, code: error.code)
            }
        }
        let lockPath = directory + "/LOCK"
        let lockDescriptor: Int32
        do { lockDescriptor = try fileSystem.open(lockPath, mode: .createOrOpen) } catch {
            throw .io(operation: "open", path: lockPath, code: error.code)
        }
        let lockDeadline = ContinuousClock.now + options.lockWait
        while true {
            do {
                try fileSystem.lock(lockDescriptor)
                break
            } catch {
                // A lock held for a moment (a forked child of a process that had the spool open,
                // between fork and exec; a herald queue command) is waited for, briefly.
                if error.code == EWOULDBLOCK && ContinuousClock.now < lockDeadline {
                    NativeThread.sleep(for: .milliseconds(10))
                    continue
                }
                fileSystem.close(lockDescriptor)
                if error.code == EWOULDBLOCK { throw .locked(path: lockPath) }
                throw .io(operation: "flock", path: lockPath, code: error.code)
            }
        }
        let started = ContinuousClock.now
        let recovered: RecoveredSpool
        do {
            recovered = try SpoolRecovery.load(
                directory: directory, options: options, logger: logger, fileSystem: fileSystem, writable: true)
        } catch {
            fileSystem.close(lockDescriptor)
            throw error
        }
        let spool = Spool(
            directory: directory, options: options, logger: logger, fileSystem: fileSystem, recovered: recovered,
            lockDescriptor: lockDescriptor)
        var writer = WriterState(nextNumber: recovered.nextNumber)
        if let (number, size) = recovered.appendTo, let segment = recovered.segments[number] {
            writer.active = segment.file
            writer.size = size
            // Recovery found only zeros past `size` (or truncated what was there).
            writer.zeroedEnd = (try? segment.file.size()) ?? size
            spool.writable.store(true, ordering: .releasing)
        } else {
            spool.startFreshSegment(&writer)
        }
        let statistics = spool.statistics
        logger.info(
            "spool opened",
            [
                "directory": .string(directory), "jobs": .int(statistics.depth),
                "dead_letters": .int(statistics.deadLetters),
                "segments": .int(statistics.segments), "bytes": .int(Int(statistics.bytesOnDisk)),
                "recovery_ms": .milliseconds(ContinuousClock.now - started),
            ])
        spool.startThreads(writer: writer)
        return spool
    }

    private func startThreads(writer: WriterState) {
        NativeThread.start(named: "herald-spool-writer") { [self] in
            var writer = writer
            runWriter(&writer)
            writerFinished.signal()
        }
        guard let interval = options.compactionInterval else {
            compactorFinished.signal()
            return
        }
        NativeThread.start(named: "herald-spool-compactor") { [self] in
            runCompactor(every: interval)
            compactorFinished.signal()
        }
    }

    /// Writes what is queued, stops the threads and releases the lock. Appends after this fail
    /// with `SpoolError.closed`. Blocks until the writer is done; call it once.
    package func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopping.store(true, ordering: .releasing)
        compactorWakeup.signal()
        compactorFinished.wait()
        queue.close()
        writerFinished.wait()
        preallocator?.close()
        shared.withLock { $0.segments = [:] }
        fileSystem.close(lockDescriptor)
    }

    deinit {
        if !closed.load(ordering: .acquiring) { fileSystem.close(lockDescriptor) }
    }

    /// False after an append failed until a new segment could be written (disk full, I/O
    /// error): `/readyz` answers 503 meanwhile. The spool keeps trying on its own.
    package var isWritable: Bool { writable.load(ordering: .acquiring) }

    // MARK: Appending

    /// Durably adds `jobs`, and records `dedupeKeys` with them. Never blocks: `completion` runs on
    /// the writer thread once everything is fsync'd (success) or could not be (failure: answer
    /// 503, nothing of it counts as stored).
    package func add(_ jobs: [Job], dedupeKeys: [DedupeKey] = [], completion: @escaping SpoolCompletion) {
        var records = jobs.map(EncodedRecord.jobAdded)
        for key in dedupeKeys {
            records.append(.dedupeKey(digest: Digest.dedupe(key.key), expiresAt: key.expiresAt.millisecondsSinceEpoch))
        }
        append(records, completion: completion)
    }

    /// `add` for async callers.
    package func add(_ jobs: [Job], dedupeKeys: [DedupeKey] = []) async throws(SpoolError) {
        let result = await withCheckedContinuation { continuation in
            add(jobs, dedupeKeys: dedupeKeys) { continuation.resume(returning: $0) }
        }
        try result.get()
    }

    /// Waits until everything appended before is on disk (or failed).
    package func flush() async throws(SpoolError) {
        let result = await withCheckedContinuation { continuation in
            append([]) { continuation.resume(returning: $0) }
        }
        try result.get()
    }

    func append(_ records: [EncodedRecord], completion: SpoolCompletion?) {
        var bytes = 0
        for record in records {
            let payload = record.frame.count - RecordEncoder.headerSize
            if payload > options.maxRecordBytes {
                completion?(.failure(.recordTooLarge(bytes: payload, limit: options.maxRecordBytes)))
                return
            }
            bytes += record.frame.count
        }
        let item = PendingWrite(content: .records(records), bytes: bytes, completion: completion)
        if let error = queue.enqueue(item, limit: options.maxQueuedBytes) {
            completion?(.failure(error))
        }
    }
}
