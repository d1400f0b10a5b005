import HeraldCore

/// One open segment file: the single owner of its descriptor, closed when the last user lets go.
///
/// Readers take a reference under the spool's lock and read outside it; the compactor may drop
/// the segment from the table meanwhile, and the descriptor stays valid until the read is done.
final class SegmentFile: Sendable {
    let number: UInt32
    let path: String
    let descriptor: Int32
    let fileSystem: any SpoolFileSystem

    init(number: UInt32, path: String, descriptor: Int32, fileSystem: any SpoolFileSystem) {
        self.number = number
        self.path = path
        self.descriptor = descriptor
        self.fileSystem = fileSystem
    }

    deinit {
        fileSystem.close(descriptor)
    }

    /// The file name of segment `number`: `segment-0000000001.log`.
    static func name(of number: UInt32) -> String {
        let digits = String(number)
        return "segment-" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits + ".log"
    }

    /// The number in a segment file name; nil for any other name.
    static func number(inName name: String) -> UInt32? {
        guard name.hasPrefix("segment-"), name.hasSuffix(".log"), name.utf8.count == 22 else { return nil }
        return UInt32(name.dropFirst(8).dropLast(4))
    }

    /// Writes all of `bytes` at `offset`, looping over short writes.
    func write(_ bytes: [UInt8], at offset: Int64) throws(SpoolError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(FileSystemError) in
                    try fileSystem.write(
                        descriptor, UnsafeRawBufferPointer(rebasing: raw[written...]), at: offset + Int64(written))
                }
            }
            let count: Int
            switch result {
            case .success(let value): count = value
            case .failure(let error): throw .io(operation: "write", path: path, code: error.code)
            }
            guard count > 0 else { throw .shortWrite(path: path, expected: bytes.count, written: written) }
            written += count
        }
    }

    /// Reads `count` bytes at `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: Int64) throws(SpoolError) -> [UInt8] {
        var bytes: [UInt8] = []
        let filled = try read(into: &bytes, count: count, at: offset)
        if filled < bytes.count { bytes.removeLast(bytes.count - filled) }
        return bytes
    }

    /// Reads `count` bytes at `offset` into the start of `bytes`, growing it if needed without
    /// zeroing (recovery reuses one buffer for every segment); returns how many were read.
    func read(into bytes: inout [UInt8], count: Int, at offset: Int64) throws(SpoolError) -> Int {
        if bytes.count < count {
            bytes = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        }
        var filled = 0
        let failure = bytes.withUnsafeMutableBytes { raw -> FileSystemError? in
            while filled < count {
                do throws(FileSystemError) {
                    let got = try fileSystem.read(
                        descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]),
                        at: offset + Int64(filled))
                    if got == 0 { break }
                    filled += got
                } catch {
                    return error
                }
            }
            return nil
        }
        if let failure { throw .io(operation: "read", path: path, code: failure.code) }
        return filled
    }

    /// Calls `body` with the file's first `count` bytes (fewer at its end), read into `scratch` (a
    /// buffer the caller reuses) or, with `mapping`, mapped where the file system can. Map only a
    /// file nobody can truncate meanwhile (the spool's lock is held): touching a mapped page past
    /// a new end of file kills the process with SIGBUS.
    func withContents<Result>(
        count: Int, scratch: inout [UInt8], mapping: Bool, _ body: (UnsafeRawBufferPointer) -> Result
    ) throws(SpoolError) -> Result {
        do {
            return mapping
                ? try fileSystem.withContents(of: descriptor, count: count, scratch: &scratch, body)
                : try fileSystem.readContents(of: descriptor, count: count, scratch: &scratch, body)
        } catch {
            throw .io(operation: "read", path: path, code: error.code)
        }
    }

    func synchronize() throws(SpoolError) {
        do { try fileSystem.synchronize(descriptor) } catch {
            throw .io(operation: "fdatasync", path: path, code: error.code)
        }
    }

    func truncate(to length: Int64) throws(SpoolError) {
        do { try fileSystem.truncate(descriptor, to: length) } catch {
            throw .io(operation: "ftruncate", path: path, code: error.code)
        }
    }

    func size() throws(SpoolError) -> Int64 {
        do { return try fileSystem.size(descriptor) } catch {
            throw .io(operation: "fstat", path: path, code: error.code)
        }
    }
}
