import Glibc

/// How `SpoolFileSystem.open` opens a file. Every descriptor is close-on-exec.
package enum SpoolOpenMode: Sendable {
    case readOnly
    case readWrite
    /// Creates the file; fails with `EEXIST` when it is there already.
    case createNew
    /// Opens the file for reading and writing, creating it when missing (the lock file).
    case createOrOpen
    /// Opens an existing file for writing around the page cache (`O_DIRECT`): offsets, lengths
    /// and buffers aligned to 4 KiB. Fails with `EINVAL` where the file system has no direct I/O.
    case writeDirect
}

/// A failed system call: its `errno`.
package struct FileSystemError: Error, Sendable, Equatable {
    package let code: Int32
    package init(_ code: Int32) { self.code = code }
}

/// Every file operation the spool makes, so that tests can inject faults (`ENOSPC`, short writes,
/// `EIO` on fsync, a crash that loses what was not synced).
///
/// Implementation requirements:
/// - Each call is one system call (or as few as the operation needs); `EINTR` is retried inside.
/// - `write` may write fewer bytes than asked; callers loop.
/// - Thread-safe: the writer thread, the compactor and readers call concurrently on different or
///   the same descriptors (positional I/O only, no shared file offsets).
package protocol SpoolFileSystem: Sendable {
    func open(_ path: String, mode: SpoolOpenMode) throws(FileSystemError) -> Int32
    func close(_ descriptor: Int32)
    /// One `pwrite`: returns how many bytes were written.
    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int
    /// One `pread`: returns how many bytes were read (0 at the end of the file).
    func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64)
        throws(FileSystemError) -> Int
    /// Calls `body` with the first `count` bytes of the file (fewer at its end), mapped where the
    /// file system can, else read into `scratch`; the bytes are valid only during the call, and
    /// nobody may truncate the file meanwhile. The default reads with `read`.
    func withContents<Result>(
        of descriptor: Int32, count: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Result
    ) throws(FileSystemError) -> Result
    /// `fdatasync`: the written bytes and the file size are durable once it returns.
    func synchronize(_ descriptor: Int32) throws(FileSystemError)
    /// `fsync` of a directory, so that files created or removed in it stay so after a crash.
    func synchronizeDirectory(_ path: String) throws(FileSystemError)
    func truncate(_ descriptor: Int32, to length: Int64) throws(FileSystemError)
    func size(_ descriptor: Int32) throws(FileSystemError) -> Int64
    func unlink(_ path: String) throws(FileSystemError)
    /// The names in a directory (without `.` and `..`).
    func contents(ofDirectory path: String) throws(FileSystemError) -> [String]
    /// Creates a directory (mode 0700); succeeds when it exists already.
    func makeDirectory(_ path: String) throws(FileSystemError)
    /// Takes an exclusive `flock` without waiting; `EWOULDBLOCK` when another process holds it.
    func lock(_ descriptor: Int32) throws(FileSystemError)
}

extension SpoolFileSystem {
    package func withContents<Result>(
        of descriptor: Int32, count: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Result
    ) throws(FileSystemError) -> Result {
        try readContents(of: descriptor, count: count, scratch: &scratch, body)
    }

    /// `withContents` with `read` calls into `scratch`.
    func readContents<Result>(
        of descriptor: Int32, count: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Result
    ) throws(FileSystemError) -> Result {
        if scratch.count < count {
            scratch = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        }
        var filled = 0
        let failure = scratch.withUnsafeMutableBytes { raw -> FileSystemError? in
            while filled < count {
                do throws(FileSystemError) {
                    let got = try read(
                        descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[filled..<count]),
                        at: Int64(filled))
                    if got == 0 { break }
                    filled += got
                } catch {
                    return error
                }
            }
            return nil
        }
        if let failure { throw failure }
        return scratch.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<filled])) }
    }
}

/// The file system itself.
package struct RealFileSystem: SpoolFileSystem {
    package init() {}

    /// `O_DIRECT`, which Glibc's Swift module leaves out (it is a `_GNU_SOURCE` flag); its value
    /// differs between architectures. Elsewhere 0: such files are opened for buffered writing.
    #if arch(x86_64)
        static let directIO: Int32 = 0o40000
    #elseif arch(arm64)
        static let directIO: Int32 = 0o200000
    #else
        static let directIO: Int32 = 0
    #endif

    package func open(_ path: String, mode: SpoolOpenMode) throws(FileSystemError) -> Int32 {
        let flags: Int32
        switch mode {
        case .readOnly: flags = O_RDONLY
        case .readWrite: flags = O_RDWR
        case .createNew: flags = O_RDWR | O_CREAT | O_EXCL
        case .createOrOpen: flags = O_RDWR | O_CREAT
        case .writeDirect: flags = O_WRONLY | RealFileSystem.directIO
        }
        return try retrying { Glibc.open(path, flags | O_CLOEXEC, 0o600) }
    }

    package func close(_ descriptor: Int32) {
        // Not retried on EINTR: Linux always releases the descriptor.
        _ = Glibc.close(descriptor)
    }

    package func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64)
        throws(FileSystemError) -> Int
    {
        try retrying { pwrite(descriptor, bytes.baseAddress, bytes.count, off_t(offset)) }
    }

    package func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64)
        throws(FileSystemError) -> Int
    {
        try retrying { pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    package func synchronize(_ descriptor: Int32) throws(FileSystemError) {
        _ = try retrying { fdatasync(descriptor) }
    }

    /// Maps the bytes (populated at once, read-only, private) instead of copying them; reads
    /// them when the mapping fails.
    package func withContents<Result>(
        of descriptor: Int32, count: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Result
    ) throws(FileSystemError) -> Result {
        let size = try self.size(descriptor)
        let length = min(count, Int(size))
        guard length > 0,
            let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, 0),
            mapped != MAP_FAILED
        else {
            return try readContents(of: descriptor, count: count, scratch: &scratch, body)
        }
        defer { munmap(mapped, length) }
        return body(UnsafeRawBufferPointer(start: mapped, count: length))
    }

    package func synchronizeDirectory(_ path: String) throws(FileSystemError) {
        let descriptor = try retrying { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { Glibc.close(descriptor) }
        _ = try retrying { fsync(descriptor) }
    }

    package func truncate(_ descriptor: Int32, to length: Int64) throws(FileSystemError) {
        _ = try retrying { ftruncate(descriptor, off_t(length)) }
    }

    package func size(_ descriptor: Int32) throws(FileSystemError) -> Int64 {
        var status = stat()
        _ = try retrying { fstat(descriptor, &status) }
        return Int64(status.st_size)
    }

    package func unlink(_ path: String) throws(FileSystemError) {
        _ = try retrying { Glibc.unlink(path) }
    }

    package func contents(ofDirectory path: String) throws(FileSystemError) -> [String] {
        guard let directory = opendir(path) else { throw FileSystemError(errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    package func makeDirectory(_ path: String) throws(FileSystemError) {
        if mkdir(path, 0o700) == 0 || errno == EEXIST { return }
        throw FileSystemError(errno)
    }

    package func lock(_ descriptor: Int32) throws(FileSystemError) {
        _ = try retrying { flock(descriptor, LOCK_EX | LOCK_NB) }
    }

    /// Runs `call` until it does not fail with `EINTR`.
    private func retrying<Result: BinaryInteger>(_ call: () -> Result) throws(FileSystemError) -> Result {
        while true {
            let result = call()
            if result >= 0 { return result }
            if errno != EINTR { throw FileSystemError(errno) }
        }
    }
}
