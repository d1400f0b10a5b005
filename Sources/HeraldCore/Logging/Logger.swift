/// How important a log line is.
package enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case debug
    case info
    case warning
    case error

    package init?(name: String) {
        switch name {
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    package var description: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warn"
        case .error: return "error"
        }
    }

    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A value in a log line. Personal data is marked so that handlers can mask it.
package enum LogValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// An email address or other personal data: masked by default (`j***@example.com`).
    case personal(String)

    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .int(value) }

    /// A duration in milliseconds with up to three decimals.
    package static func milliseconds(_ duration: Duration) -> LogValue {
        .double((duration.seconds * 1_000_000).rounded() / 1000)
    }
}

/// Receives log records. Handlers format and write them (logfmt or JSON to stderr in the daemon,
/// memory in tests).
package protocol LogHandler: Sendable {
    func log(level: LogLevel, message: String, fields: [(String, LogValue)])
    /// Writes out anything buffered; called before the process exits.
    func flush()
}

extension LogHandler {
    package func flush() {}
}

/// A cheap, copyable front to a `LogHandler` with a minimum level and fields added to every line.
package struct Logger: Sendable {
    package let handler: any LogHandler
    package var level: LogLevel
    package var fields: [(String, LogValue)]

    package init(handler: any LogHandler, level: LogLevel = .info, fields: [(String, LogValue)] = []) {
        self.handler = handler
        self.level = level
        self.fields = fields
    }

    /// A logger that drops everything.
    package static var discarding: Logger { Logger(handler: DiscardingLogHandler(), level: .error) }

    /// A copy that adds `fields` to every line.
    package func with(_ fields: KeyValuePairs<String, LogValue>) -> Logger {
        var copy = self
        copy.fields += fields.map { ($0.key, $0.value) }
        return copy
    }

    package func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Logs when `level` is enabled; the fields are only computed then.
    package func log(
        _ level: LogLevel, _ message: String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]
    ) {
        guard level >= self.level else { return }
        handler.log(level: level, message: message, fields: self.fields + fields().map { ($0.key, $0.value) })
    }

    package func debug(_ message: String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]) {
        log(.debug, message, fields())
    }
    package func info(_ message: String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]) {
        log(.info, message, fields())
    }
    package func warning(_ message: String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]) {
        log(.warning, message, fields())
    }
    package func error(_ message: String, _ fields: @autoclosure () -> KeyValuePairs<String, LogValue> = [:]) {
        log(.error, message, fields())
    }
}

private struct DiscardingLogHandler: LogHandler {
    func log(level: LogLevel, message: String, fields: [(String, LogValue)]) {}
}

/// Masks an email address for logs: `jane.doe@example.com` → `j***@example.com`; other text
/// keeps its first character only.
package func maskPersonalData(_ text: String) -> String {
    guard let first = text.first else { return "" }
    if let at = text.lastIndex(of: "@") {
        return "\(first)***\(text[at...])"
    }
    return "\(first)***"
}
