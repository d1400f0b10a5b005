import Glibc
import HeraldSpool
import HeraldTestSupport
import Synchronization

/// The real file system with faults on demand: short writes, `ENOSPC`, `EIO` on fdatasync, and a
/// crash that loses everything not synced (optionally keeping a torn, partly garbled piece of it).
///
/// Every call runs under one lock, so that `crash()` happens between two system calls, as a power
/// cut would between two completed ones.
final class FaultyFileSystem: SpoolFileSystem {
    enum WriteFault: Sendable {
        /// Writes only this many bytes and reports that.
        case short(Int)
        case error(Int32)
    }

    private struct State {
        var paths: [Int32: String] = [:]
        /// The length of each file that survives a crash.
        var synced: [String: Int64] = [:]
        /// Files created since the directory was last synced: gone after a crash.
        var createdUnsynced: Set<String> = []
        var writes = 0
        var syncs = 0
        var writeFaults: [Int: WriteFault] = [:]
        var syncFaults: [Int: Int32] = [:]
        var diskFull = false
        var crashed = false
        var changes = 0
        var crashAtChange: Int?
        var crashTearing = Tearing.none
    }

    private let real = RealFileSystem()
    private let state = Mutex(State())

    init() {}

    /// Successful and failed `write` calls so far.
    var writeCount: Int { state.withLock { $0.writes } }
    /// `fdatasync` calls so far.
    var syncCount: Int { state.withLock { $0.syncs } }

    /// The `n`-th write from now (1 = the next one) fails as `fault` says.
    func failWrite(_ n: Int = 1, with fault: WriteFault) {
        state.withLock { $0.writeFaults[$0.writes + n] = fault }
    }

    /// The `n`-th fdatasync from now fails with `code`.
    func failSync(_ n: Int = 1, with code: Int32 = EIO) {
        state.withLock { $0.syncFaults[$0.syncs + n] = code }
    }

    /// While true, every write fails with `ENOSPC`.
    var diskFull: Bool {
        get { state.withLock { $0.diskFull } }
        set { state.withLock { $0.diskFull = newValue } }
    }

    /// How much of the bytes written but not synced survive a crash.
    enum Tearing: Sendable {
        /// None: every file goes back to its synced length.
        case none
        /// A random part, with one byte garbled half the time.
        case random(seed: UInt64)
        /// All of them (the page cache reached the disk after all).
        case all
    }

    /// Simulates a power cut: files go back to their synced length (see `Tearing`), files created
    /// since the last directory sync vanish, and every later call that changes anything fails
    /// with `EIO`.
    func crash(tearing: Tearing = .none) {
        state.withLock { crashLocked(&$0, tearing: tearing) }
    }

    /// The `n`-th call from now that changes something (write, fdatasync, directory sync,
    /// truncate, unlink, create) crashes instead of running.
    func crash(atChange n: Int, tearing: Tearing = .none) {
        state.withLock { state in
            state.crashAtChange = state.changes + n
            state.crashTearing = tearing
        }
    }

    /// Calls that changed something so far.
    var changeCount: Int { state.withLock { $0.changes } }

    private func crashLocked(_ state: inout State, tearing: Tearing) {
        state.crashed = true
        var random = SeededGenerator(seed: { if case .random(let seed) = tearing { return seed } else { return 1 } }())
        for (path, synced) in state.synced {
            if state.createdUnsynced.contains(path) {
                _ = Glibc.unlink(path)
                continue
            }
            let descriptor = Glibc.open(path, O_RDWR)
            guard descriptor >= 0 else { continue }
            defer { Glibc.close(descriptor) }
            var status = stat()
            fstat(descriptor, &status)
            let size = Int64(status.st_size)
            var keep = synced
            switch tearing {
            case .none: break
            case .all: keep = max(size, synced)
            case .random:
                if size > synced {
                    keep = synced + Int64.random(in: 0...(size - synced), using: &random)
                    if keep > synced && Bool.random(using: &random) {
                        var byte = UInt8.random(in: 0...255, using: &random)
                        pwrite(descriptor, &byte, 1, off_t(Int64.random(in: synced..<keep, using: &random)))
                    }
                }
            }
            ftruncate(descriptor, off_t(keep))
        }
        state.createdUnsynced = []
    }

    /// Counts a change; true when it is the one to crash at (the crash has then happened).
    private func crashesNow(_ state: inout State) -> Bool {
        state.changes += 1
        guard let at = state.crashAtChange, state.changes >= at, !state.crashed else { return state.crashed }
        crashLocked(&state, tearing: state.crashTearing)
        return true
    }

    /// After a crash: the machine is back; what is on disk now counts as synced.
    func restart() {
        state.withLock { state in
            state.crashed = false
            state.crashAtChange = nil
            state.writeFaults = [:]
            state.syncFaults = [:]
            state.diskFull = false
            state.paths = [:]
            for path in state.synced.keys {
                var status = stat()
                if stat(path, &status) == 0 {
                    state.synced[path] = Int64(status.st_size)
                } else {
                    state.synced[path] = nil
                }
            }
        }
    }

    func crashed() -> Bool { state.withLock { $0.crashed } }

    // MARK: SpoolFileSystem

    func open(_ path: String, mode: SpoolOpenMode) throws(FileSystemError) -> Int32 {
        try state.withLock { state throws(FileSystemError) in
            if mode == .createNew && crashesNow(&state) { throw FileSystemError(EIO) }
            if state.crashed && mode != .readOnly { throw FileSystemError(EIO) }
            let descriptor = try real.open(path, mode: mode)
            state.paths[descriptor] = path
            if mode == .createNew {
                state.synced[path] = 0
                state.createdUnsynced.insert(path)
            } else if state.synced[path] == nil {
                state.synced[path] = (try? real.size(descriptor)) ?? 0
            }
            return descriptor
        }
    }

    func close(_ descriptor: Int32) {
        state.withLock { state in
            state.paths[descriptor] = nil
            real.close(descriptor)
        }
    }

    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int {
        try state.withLock { state throws(FileSystemError) in
            state.writes += 1
            if crashesNow(&state) { throw FileSystemError(EIO) }
            if state.diskFull { throw FileSystemError(ENOSPC) }
            switch state.writeFaults.removeValue(forKey: state.writes) {
            case .error(let code)?:
                throw FileSystemError(code)
            case .short(let count)?:
                return try real.write(descriptor, UnsafeRawBufferPointer(rebasing: bytes.prefix(count)), at: offset)
            case nil:
                return try real.write(descriptor, bytes, at: offset)
            }
        }
    }

    func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(FileSystemError)
        -> Int
    {
        try state.withLock { _ throws(FileSystemError) in try real.read(descriptor, into: buffer, at: offset) }
    }

    func synchronize(_ descriptor: Int32) throws(FileSystemError) {
        try state.withLock { state throws(FileSystemError) in
            state.syncs += 1
            if crashesNow(&state) { throw FileSystemError(EIO) }
            if let code = state.syncFaults.removeValue(forKey: state.syncs) { throw FileSystemError(code) }
            try real.synchronize(descriptor)
            if let path = state.paths[descriptor] { state.synced[path] = try real.size(descriptor) }
        }
    }

    func synchronizeDirectory(_ path: String) throws(FileSystemError) {
        try state.withLock { state throws(FileSystemError) in
            if crashesNow(&state) { throw FileSystemError(EIO) }
            try real.synchronizeDirectory(path)
            state.createdUnsynced = []
        }
    }

    func truncate(_ descriptor: Int32, to length: Int64) throws(FileSystemError) {
        try state.withLock { state throws(FileSystemError) in
            if crashesNow(&state) { throw FileSystemError(EIO) }
            try real.truncate(descriptor, to: length)
            if let path = state.paths[descriptor], let synced = state.synced[path] {
                state.synced[path] = min(synced, length)
            }
        }
    }

    func size(_ descriptor: Int32) throws(FileSystemError) -> Int64 {
        try state.withLock { _ throws(FileSystemError) in try real.size(descriptor) }
    }

    func unlink(_ path: String) throws(FileSystemError) {
        try state.withLock { state throws(FileSystemError) in
            if crashesNow(&state) { throw FileSystemError(EIO) }
            try real.unlink(path)
            state.synced[path] = nil
            state.createdUnsynced.remove(path)
        }
    }

    func contents(ofDirectory path: String) throws(FileSystemError) -> [String] {
        try real.contents(ofDirectory: path)
    }

    func makeDirectory(_ path: String) throws(FileSystemError) {
        try real.makeDirectory(path)
    }

    func lock(_ descriptor: Int32) throws(FileSystemError) {
        try real.lock(descriptor)
    }
}
