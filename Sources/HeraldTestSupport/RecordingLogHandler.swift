import HeraldCore
import Synchronization

/// A `LogHandler` that keeps every record in memory, for tests that assert on logs (what was
/// said, and what was never said, such as a secret).
///
/// ```swift
/// let logs = RecordingLogHandler()
/// let logger = Logger(handler: logs, level: .debug)
/// …
/// #expect(!logs.rawText.contains("secret-key"))
/// ```
package final class RecordingLogHandler: LogHandler, Sendable {
    /// One log call.
    package struct Record: Sendable {
        package var level: LogLevel
        package var message: String
        package var fields: [(String, LogValue)]

        /// `level=info msg="…" key=value …`, personal values masked as the daemon does by default.
        package var line: String {
            var parts = ["level=\(level)", "msg=\(Self.quoted(message))"]
            for (key, value) in fields { parts.append("\(key)=\(Self.render(value, masked: true))") }
            return parts.joined(separator: " ")
        }

        /// Like `line`, but with personal values in clear: everything the handler was given.
        package var rawLine: String {
            var parts = ["level=\(level)", "msg=\(Self.quoted(message))"]
            for (key, value) in fields { parts.append("\(key)=\(Self.render(value, masked: false))") }
            return parts.joined(separator: " ")
        }

        static func render(_ value: LogValue, masked: Bool) -> String {
            switch value {
            case .string(let text): return quoted(text)
            case .int(let number): return String(number)
            case .double(let number): return String(number)
            case .bool(let flag): return String(flag)
            case .personal(let text): return quoted(masked ? maskPersonalData(text) : text)
            }
        }

        static func quoted(_ text: String) -> String {
            let plain = !text.isEmpty && !text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline })
            if plain { return text }
            return "\""
                + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
    }

    private let storage = Mutex<[Record]>([])

    package init() {}

    package func log(level: LogLevel, message: String, fields: [(String, LogValue)]) {
        let record = Record(level: level, message: message, fields: fields)
        storage.withLock { $0.append(record) }
    }

    /// Every record, in order.
    package var records: [Record] { storage.withLock { $0 } }

    /// Every record as a masked line.
    package var lines: [String] { records.map(\.line) }

    /// Every record with personal values in clear, one per line: search this for leaks.
    package var rawText: String { records.map(\.rawLine).joined(separator: "\n") }

    /// Forgets what was logged.
    package func reset() { storage.withLock { $0 = [] } }
}
