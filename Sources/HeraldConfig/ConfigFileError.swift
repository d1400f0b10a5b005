/// A configuration file, secret file or include pattern that could not be used.
///
/// The loader turns these into `ConfigDiagnostic`s at the position that named the file; messages
/// name the path and the reason (the `errno` text), never the file's content.
package enum ConfigFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened or read; `reason` is the system's text, e.g. "No such file or directory".
    case unreadable(path: String, reason: String)
    /// The file is larger than `limit` bytes; `size` is what was seen (at least `limit + 1`).
    case tooLarge(path: String, size: Int, limit: Int)
    /// An include pattern could not be expanded.
    case badPattern(pattern: String, reason: String)

    package var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .tooLarge(let path, let size, let limit):
            return "'\(path)' is \(size) bytes, more than the limit of \(limit) bytes"
        case .badPattern(let pattern, let reason):
            return "cannot expand '\(pattern)': \(reason)"
        }
    }
}
