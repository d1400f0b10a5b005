import HeraldCore

/// Which queued jobs or dead letters an operator means: `--route NAME`, `--action NAME`,
/// `--since DURATION` (created, or for dead letters died, within that long before now). An
/// empty filter matches everything. Each store applies it its own way (`matches` on the spool,
/// a `WHERE` in PostgreSQL): a new criterion is added to both.
package struct JobFilter: Sendable, Equatable {
    package var route: String?
    package var action: String?
    package var since: Duration?

    package init(route: String? = nil, action: String? = nil, since: Duration? = nil) {
        self.route = route
        self.action = action
        self.since = since
    }

    /// True when no criterion is set.
    package var isEmpty: Bool { route == nil && action == nil && since == nil }

    /// Whether `job` matches; `time` is when it was created (queue) or died (dead letters).
    package func matches(_ job: Job, time: WallClock, now: WallClock) -> Bool {
        if let route, job.route != route { return false }
        if let action, job.action != action { return false }
        if let since, now - time > since { return false }
        return true
    }

    /// The control socket's query form: `route=…&action=…&since_ms=…`.
    package var query: [String] {
        var items: [String] = []
        if let route { items.append("route=\(Self.escape(route))") }
        if let action { items.append("action=\(Self.escape(action))") }
        if let since { items.append("since_ms=\(since.saturatingMilliseconds)") }
        return items
    }

    /// Reads the query form back.
    /// - Throws: `.invalid` for a malformed one.
    package init(query: Substring?) throws(JobStoreError) {
        guard let query else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count == 2 ? String(parts[1]) : ""
            switch parts[0] {
            case "route": route = Self.unescape(value)
            case "action": action = Self.unescape(value)
            case "since_ms":
                guard let milliseconds = Int64(value), milliseconds >= 0 else {
                    throw JobStoreError(.invalid, "since_ms must be a number ≥ 0")
                }
                since = .milliseconds(milliseconds)
            default: continue
            }
        }
    }

    /// Route and action names are config keys; only `%`, `&`, `=`, space and non-ASCII need escaping.
    private static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "%"), byte != UInt8(ascii: "&"),
                byte != UInt8(ascii: "="), byte != UInt8(ascii: "?"), byte != UInt8(ascii: "#")
            {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return result
    }

    private static func unescape(_ text: String) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
                let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
                let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = utf8.index(after: low)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func leftPadded(_ length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
