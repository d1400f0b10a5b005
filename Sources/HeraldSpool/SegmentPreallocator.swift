import Dispatch
import FoundationEssentials
import Glibc
import HeraldCore
import Synchronization

/// Fills the space ahead of the active segment's end with zeros and syncs it, on a thread of its
/// own, so that the writer's appends overwrite allocated, written blocks of a file whose size
/// does not change. Its fdatasync then writes the data alone; an append that grows the file also
/// writes the inode and the block bitmaps, one synchronous I/O after another (ext4, measured:
/// about half the latency without them). Recovery reads a zero tail as the end of the log.
///
/// Only ever a help: durability never depends on it (the writer's own fdatasync covers whatever
/// metadata its appends changed), and when zeroing fails the writer appends as before. It writes
/// through a descriptor of its own, so that an I/O error it meets is still reported to the
/// writer's fdatasync (Linux reports a writeback error once per open file).
final class SegmentPreallocator: @unchecked Sendable {
    // @unchecked: `condition` guards `request`, `outcome` and `closed`; `zeros` is only read after
    // init; the rest is immutable.

    /// Zero `path` from `from` up to `to` (exclusive) and sync it.
    struct Extension: Equatable {
        let path: String
        let from: Int64
        let to: Int64
    }

    enum Outcome: Equatable {
        case zeroed
        case failed
    }

    private let fileSystem: any SpoolFileSystem
    private let logger: Logger
    private let condition = NativeCondition()
    private var request: Extension?
    private var outcome: Outcome?
    private var closed = false
    private let finished = DispatchSemaphore(value: 0)
    /// How far the extension in progress has zeroed and synced: the writer may append below it.
    private let reached = Atomic<Int64>(0)
    /// Zeros written and synced at a time, 4 KiB-aligned for direct I/O.
    private static let chunk = 256 << 10
    private let zeros: UnsafeMutableRawBufferPointer

    init(fileSystem: any SpoolFileSystem, logger: Logger) {
        self.fileSystem = fileSystem
        self.logger = logger
        zeros = .allocate(byteCount: Self.chunk, alignment: 4096)
        zeros.initializeMemory(as: UInt8.self, repeating: 0)
        NativeThread.start(named: "herald-spool-zero") { [self] in
            run()
            finished.signal()
        }
    }

    /// Starts zeroing; the previous extension must have been collected (`poll` or `wait`).
    func start(_ work: Extension) {
        condition.lock()
        precondition(request == nil && outcome == nil, "one extension at a time")
        reached.store(work.from, ordering: .releasing)
        request = work
        condition.broadcast()
        condition.unlock()
    }

    /// Where the extension started last has zeroed and synced up to so far.
    var progress: Int64 { reached.load(ordering: .acquiring) }

    /// The outcome of the extension started last, when it has ended (non-blocking).
    func poll() -> Outcome? {
        condition.lock()
        defer { condition.unlock() }
        guard let result = outcome else { return nil }
        outcome = nil
        return result
    }

    /// Waits for the extension started last to end.
    func wait() -> Outcome {
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
        let result = outcome ?? .failed
        outcome = nil
        return result
    }

    deinit {
        zeros.deallocate()
    }

    /// Finishes the extension in progress, if any, and stops the thread.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
    }

    private func run() {
        while true {
            condition.lock()
            while request == nil && !closed { condition.wait() }
            guard let work = request else {
                condition.unlock()
                return
            }
            condition.unlock()
            let result = zero(work)
            condition.lock()
            request = nil
            outcome = result
            condition.broadcast()
            condition.unlock()
        }
    }

    private func zero(_ work: Extension) -> Outcome {
        // Around the page cache where the file system allows: the writer's fdatasync of the same
        // file writes every dirty page of it, and zeros must never be among them. The bytes from
        // `from` to the next 4 KiB boundary lie in a block the file already has, and read as
        // zeros past its end: they need no writing.
        var start = work.from
        var descriptor: Int32
        do {
            descriptor = try fileSystem.open(work.path, mode: .writeDirect)
            start = (work.from + 4095) & ~4095
        } catch {
            do { descriptor = try fileSystem.open(work.path, mode: .readWrite) } catch {
                logger.debug(
                    "could not zero ahead of the log", ["path": .string(work.path), "errno": .int(Int(error.code))])
                return .failed
            }
        }
        defer { fileSystem.close(descriptor) }
        var offset = start
        do throws(FileSystemError) {
            while offset < work.to {
                let chunkEnd = min(offset + Int64(Self.chunk), work.to)
                while offset < chunkEnd {
                    let count = Int(chunkEnd - offset)
                    let written = try fileSystem.write(
                        descriptor, UnsafeRawBufferPointer(rebasing: zeros[..<count]), at: offset)
                    guard written > 0 else { return .failed }
                    offset += Int64(written)
                }
                // The new length and blocks; no data pages to write.
                try fileSystem.synchronize(descriptor)
                reached.store(max(offset, work.from), ordering: .releasing)
            }
        } catch {
            // ENOSPC most likely: the writer appends as it would without zeros ahead.
            logger.debug(
                "could not zero ahead of the log", ["path": .string(work.path), "errno": .int(Int(error.code))])
            return .failed
        }
        if start > work.to { reached.store(work.to, ordering: .releasing) }
        return .zeroed
    }
}
