import Foundation
import HeraldCore
import Synchronization

/// Writes one line per record to a file descriptor (stderr for journald), as logfmt or JSON.
///
/// `time=… level=info msg="event accepted" event=registration.after jobs=2`
///
/// Personal data (`LogValue.personal`) is masked unless the config says `personal_data: show`.
public final class StreamLogHandler: LogHandler {
    public enum Format: Sendable { case logfmt, json }

    private let format: Format
    private let showPersonalData: Bool
    private let descriptor: Int32
    /// Serializes writes so lines from different threads never interleave.
    private let lock = Mutex(())

    public init(format: Format, showPersonalData: Bool = false, descriptor: Int32 = STDERR_FILENO) {
        self.format = format
        self.showPersonalData = showPersonalData
        self.descriptor = descriptor
    }

    public func log(level: LogLevel, message: String, fields: [(String, LogValue)]) {
        let time = WallClock.now.rfc3339
        var line: String
        switch format {
        case .logfmt:
            line = "time=\(time) level=\(level) msg=\(logfmtValue(message))"
            for (key, value) in fields {
                line += " \(key)=\(logfmtValue(render(value)))"
            }
        case .json:
            var object: JSONObject = ["time": .string(time), "level": .string(level.description), "msg": .string(message)]
            for (key, value) in fields {
                switch value {
                case .int(let number): object[key] = .int(Int64(number))
                case .double(let number): object[key] = .double(number)
                case .bool(let flag): object[key] = .bool(flag)
                default: object[key] = .string(render(value))
                }
            }
            line = JSON.object(object).serializedString
        }
        line += "\n"
        lock.withLock { _ in
            line.utf8CString.withUnsafeBufferPointer { buffer in
                var offset = 0
                let count = buffer.count - 1  // Without the terminating NUL.
                while offset < count {
                    let written = write(descriptor, buffer.baseAddress! + offset, count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    private func render(_ value: LogValue) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .personal(let text): return showPersonalData ? text : maskPersonalData(text)
        }
    }
}

/// Quotes a logfmt value when it has spaces, quotes, `=` or control characters.
func logfmtValue(_ text: String) -> String {
    let needsQuotes = text.isEmpty || text.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 }
    guard needsQuotes else { return text }
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default:
            if scalar.value < 0x20 { result += "\\u{\(String(scalar.value, radix: 16))}" }
            else { result.unicodeScalars.append(scalar) }
        }
    }
    return result + "\""
}
