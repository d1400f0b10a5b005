import FoundationEssentials
import Glibc
import HeraldCore

/// Writes one line per record to a file descriptor (stderr for journald), as logfmt or JSON.
///
/// `time=… level=info msg="event accepted" event=registration.after jobs=2`
///
/// Personal data (`LogValue.personal`) is masked unless the config says `personal_data: show`.
/// Lines are formatted by the caller and written by a dedicated thread once `start()` started it,
/// so that a slow reader of stderr never stalls the event loop; at most `maximumBuffered` bytes
/// wait, beyond that lines are dropped and the drop is reported in the next line written. Before
/// `start()`, `flush()` writes what waits on the caller's thread.
package final class StreamLogHandler: LogHandler, @unchecked Sendable {
    // @unchecked Sendable: `condition` guards `pending`, `dropped`, `writing` and `started`; the
    // other stored properties are immutable.
    package enum Format: Sendable { case logfmt, json }

    package static let maximumBuffered = 8 << 20
    /// Lines reach stderr within this time.
    package static let flushInterval: Duration = .milliseconds(20)
    static let wakeThreshold = 64 << 10

    private let format: Format
    private let showPersonalData: Bool
    private let descriptor: Int32
    private let condition = NativeCondition()
    private var pending: [UInt8] = []
    private var dropped = 0
    private var writing = false
    private var started = false

    package init(format: Format, showPersonalData: Bool = false, descriptor: Int32 = STDERR_FILENO) {
        self.format = format
        self.showPersonalData = showPersonalData
        self.descriptor = descriptor
    }

    /// Starts the thread that writes the lines (for the life of the process). Later calls do
    /// nothing.
    package func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !started else { return }
        started = true
        NativeThread.start(named: "herald-log") { [weak self] in
            while let self, self.writeBatch() {}
        }
    }

    package func log(level: LogLevel, message: String, fields: [(String, LogValue)]) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        format(level: level, message: message, fields: fields, into: &line)
        condition.lock()
        if pending.count + line.count > StreamLogHandler.maximumBuffered {
            dropped += 1
        } else {
            pending.append(contentsOf: line)
        }
        // Waking the writer for every line would cost a context switch per event; it wakes by
        // itself every `flushInterval`, or now when much is waiting or the line matters.
        if pending.count >= StreamLogHandler.wakeThreshold || level >= .warning {
            condition.signal()
        }
        condition.unlock()
    }

    /// Waits until everything logged so far is written.
    package func flush() {
        condition.lock()
        if !started {
            let batch = pending
            pending = []
            condition.unlock()
            writeAll(batch)
            return
        }
        while !pending.isEmpty || writing {
            condition.signal()
            condition.wait(for: .milliseconds(50))
        }
        condition.unlock()
    }

    /// Takes what is pending and writes it; returns false never (the thread lives with the process).
    private func writeBatch() -> Bool {
        condition.lock()
        if pending.count < StreamLogHandler.wakeThreshold {
            condition.wait(for: StreamLogHandler.flushInterval)
        }
        if pending.isEmpty {
            condition.unlock()
            return true
        }
        var batch = pending
        pending = []
        if dropped > 0 {
            format(
                level: .warning, message: "log lines dropped: stderr is not keeping up",
                fields: [("count", .int(dropped))],
                into: &batch)
            dropped = 0
        }
        writing = true
        condition.unlock()
        writeAll(batch)
        condition.lock()
        writing = false
        condition.broadcast()
        condition.unlock()
        return true
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    private func format(level: LogLevel, message: String, fields: [(String, LogValue)], into line: inout [UInt8]) {
        let time = WallClock.now
        switch format {
        case .logfmt:
            line.append(contentsOf: "time=".utf8)
            time.appendRFC3339(to: &line)
            line.append(contentsOf: " level=".utf8)
            line.append(contentsOf: level.description.utf8)
            line.append(contentsOf: " msg=".utf8)
            appendLogfmtValue(message, to: &line)
            for (key, value) in fields {
                line.append(UInt8(ascii: " "))
                line.append(contentsOf: key.utf8)
                line.append(UInt8(ascii: "="))
                appendLogfmtValue(render(value), to: &line)
            }
        case .json:
            var object: JSONObject = [
                "time": .string(time.rfc3339), "level": .string(level.description), "msg": .string(message),
            ]
            for (key, value) in fields {
                switch value {
                case .int(let number): object[key] = .int(Int64(number))
                case .double(let number): object[key] = .double(number)
                case .bool(let flag): object[key] = .bool(flag)
                default: object[key] = .string(render(value))
                }
            }
            line.append(contentsOf: JSON.object(object).serialized())
        }
        line.append(UInt8(ascii: "\n"))
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

/// Appends `text` as a logfmt value: as it is, or quoted and escaped when it has spaces,
/// quotes, `=`, backslashes or control characters (C0, DEL and the C1 controls U+0080–U+009F,
/// which some terminals act on).
func appendLogfmtValue(_ text: String, to line: inout [UInt8]) {
    let utf8 = text.utf8
    func special(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x22 || byte == 0x3D || byte == 0x5C || byte == 0x7F || byte == 0xC2
    }
    // In place where the string's bytes are contiguous (native strings): a value per field of
    // every line, so the look should not go through the view's iterator.
    let needsQuotes =
        utf8.isEmpty
        || (utf8.withContiguousStorageIfAvailable { $0.contains(where: special) } ?? utf8.contains(where: special))
    guard needsQuotes else {
        line.append(contentsOf: utf8)
        return
    }
    let hex = Array("0123456789abcdef".utf8)
    func escape(_ value: UInt8) {
        line.append(contentsOf: "\\u00".utf8)
        line.append(hex[Int(value >> 4)])
        line.append(hex[Int(value & 0xF)])
    }
    line.append(UInt8(ascii: "\""))
    var pendingC2 = false
    for byte in utf8 {
        if pendingC2 {
            pendingC2 = false
            // U+0080–U+009F are C2 80–C2 9F in UTF-8.
            if (0x80...0x9F).contains(byte) {
                escape(byte)
                continue
            }
            line.append(0xC2)
        }
        switch byte {
        case 0xC2: pendingC2 = true
        case 0x22: line.append(contentsOf: "\\\"".utf8)
        case 0x5C: line.append(contentsOf: "\\\\".utf8)
        case 0x0A: line.append(contentsOf: "\\n".utf8)
        case 0x0D: line.append(contentsOf: "\\r".utf8)
        case 0x09: line.append(contentsOf: "\\t".utf8)
        case 0..<0x20, 0x7F: escape(byte)
        default: line.append(byte)
        }
    }
    if pendingC2 { line.append(0xC2) }
    line.append(UInt8(ascii: "\""))
}
