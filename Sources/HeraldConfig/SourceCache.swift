import Synchronization

/// The texts the loader read, by file name, so that diagnostics can quote the source line.
///
/// Quoting from here rather than re-reading the file means a file edited since it was loaded
/// cannot misplace the caret, and a removed file still gets its line quoted.
///
/// ```swift
/// let sources = SourceCache()
/// let loader = YAMLLoader(sources: sources)
/// let node = loader.load(contentsOf: "/etc/herald/herald.yaml", diagnostics: diagnostics)
/// print(DiagnosticRenderer(sources: sources).render(diagnostics.sorted), terminator: "")
/// ```
package final class SourceCache: Sendable {
    private let files = Mutex<[String: [String]]>([:])

    package init() {}

    /// Remembers `text` as the content of `file` (the name used in `SourceLocation.file`),
    /// replacing what was stored before.
    package func store(_ text: String, for file: String) {
        let lines = splitLines(Array(text.utf8))
        files.withLock { $0[file] = lines }
    }

    /// Line `number` (1-based) of `file`, without its line break; nil when the file was not
    /// stored or has no such line.
    package func line(_ number: Int, of file: String) -> String? {
        files.withLock { files in
            guard let lines = files[file], number >= 1, number <= lines.count else { return nil }
            return lines[number - 1]
        }
    }
}

/// Splits at the line breaks libyaml counts (`\n`, `\r\n`, `\r`, NEL, LS, PS) so that line
/// numbers agree with the parser's marks. Text after the last break is one more line, even
/// when empty: an error at the end of the stream points there.
func splitLines(_ bytes: [UInt8]) -> [String] {
    var lines: [String] = []
    var start = 0
    var index = 0
    while index < bytes.count {
        let length = lineBreakLength(bytes, at: index)
        if length > 0 {
            lines.append(String(decoding: bytes[start..<index], as: UTF8.self))
            index += length
            start = index
        } else {
            index += 1
        }
    }
    lines.append(String(decoding: bytes[start..<bytes.count], as: UTF8.self))
    return lines
}

/// The byte length of the line break at `index`, or 0 when there is none.
func lineBreakLength(_ bytes: [UInt8], at index: Int) -> Int {
    switch bytes[index] {
    case 0x0A:
        return 1
    case 0x0D:
        return index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
    case 0xC2:  // NEL, U+0085
        return index + 1 < bytes.count && bytes[index + 1] == 0x85 ? 2 : 0
    case 0xE2:  // LS U+2028, PS U+2029
        guard index + 2 < bytes.count, bytes[index + 1] == 0x80,
            bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9
        else { return 0 }
        return 3
    default:
        return 0
    }
}
