import Glibc

/// Reads a whole file, refusing more than `limit` bytes without reading past the limit.
///
/// Retries `EINTR`; the descriptor is closed on every path.
package func readFileBytes(atPath path: String, limit: Int) throws(ConfigFileError) -> [UInt8] {
    var descriptor: Int32
    repeat {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
    } while descriptor < 0 && errno == EINTR
    guard descriptor >= 0 else { throw .unreadable(path: path, reason: errnoText(errno)) }
    defer { _ = close(descriptor) }

    var status = stat()
    if fstat(descriptor, &status) == 0 {
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw .unreadable(path: path, reason: errnoText(EISDIR))
        }
        if (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) > limit {
            throw .tooLarge(path: path, size: Int(status.st_size), limit: limit)
        }
    }

    // Read one byte past the limit so that a file that grew after fstat, or one that is not a
    // regular file, is still caught without reading all of it.
    var bytes: [UInt8] = []
    let chunkSize = 16 * 1024
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    while bytes.count <= limit {
        let wanted = min(chunkSize, limit + 1 - bytes.count)
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
        if count < 0 {
            if errno == EINTR { continue }
            throw .unreadable(path: path, reason: errnoText(errno))
        }
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    guard bytes.count <= limit else { throw .tooLarge(path: path, size: bytes.count, limit: limit) }
    return bytes
}

/// The system's text for an `errno` value, e.g. "No such file or directory".
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// The directory part of `path`, or nil when it has none ("herald.yaml").
func directoryPart(of path: String) -> String? {
    guard let slash = path.lastIndex(of: "/") else { return nil }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

/// `path` taken relative to the directory of `file`; absolute paths, and files without a directory
/// part, leave it unchanged so that paths stay as the operator wrote them.
func path(_ path: String, relativeToDirectoryOf file: String) -> String {
    guard !path.hasPrefix("/"), let directory = directoryPart(of: file) else { return path }
    return joinedPath(directory, path)
}

/// `relative` under `directory`, without `.` components or doubled slashes (`my/./state` is
/// shown as `my/state`); `..` stays, since only the file system knows where it leads.
func joinedPath(_ directory: String, _ relative: String) -> String {
    if relative.hasPrefix("/") { return relative }
    let parts = (directory.split(separator: "/") + relative.split(separator: "/")).filter { $0 != "." }
    let joined = parts.joined(separator: "/")
    if directory.hasPrefix("/") { return "/" + joined }
    return joined.isEmpty ? "." : joined
}
