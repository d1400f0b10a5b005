import Glibc

/// Serialises response heads into a reusable buffer, and caches the `Date` field per second.
struct ResponseEncoder {
    private(set) var buffer: [UInt8] = []
    private var dateField: [UInt8] = []
    private var dateSecond = -1

    init() {
        buffer.reserveCapacity(1024)
    }

    /// Refreshes the cached `Date` field when the second has changed.
    mutating func updateDate() {
        let second = time(nil)
        guard second != dateSecond else { return }
        dateSecond = second
        var parts = tm()
        var seconds = second
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text =
            "Date: \(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT\r\n"
        dateField = Array(text.utf8)
    }

    /// Encodes the status line and header block of `response` into `buffer`.
    ///
    /// - Parameters:
    ///   - bodyLength: the `Content-Length` to announce.
    ///   - close: whether to send `Connection: close`.
    ///   - keepAliveForHTTP10: whether to send `Connection: keep-alive` (to an HTTP/1.0 client).
    mutating func encodeHead(_ response: HTTPResponse, bodyLength: Int, close: Bool, keepAliveForHTTP10: Bool) {
        buffer.removeAll(keepingCapacity: true)
        let status = min(max(response.status, 100), 999)
        append("HTTP/1.1 ")
        buffer.append(UInt8(48 + status / 100))
        buffer.append(UInt8(48 + status / 10 % 10))
        buffer.append(UInt8(48 + status % 10))
        buffer.append(0x20)
        append(HTTPResponse.staticReasonPhrase(status))
        append("\r\n")
        var hasDate = false
        for field in response.headers {
            if Self.isServerOwned(field.name) { continue }
            // A CR or LF would let a value inject fields; such a field is dropped.
            guard Self.isSafe(field.name), Self.isSafe(field.value), !field.name.isEmpty else { continue }
            if !hasDate && HTTPHeaders.namesEqual(field.name, "Date") { hasDate = true }
            buffer.append(contentsOf: field.name.utf8)
            append(": ")
            buffer.append(contentsOf: field.value.utf8)
            append("\r\n")
        }
        if status >= 200 && status != 204 && status != 304 {
            append("Content-Length: ")
            appendDecimal(bodyLength)
            append("\r\n")
        }
        if !hasDate { buffer.append(contentsOf: dateField) }
        if close {
            append("Connection: close\r\n")
        } else if keepAliveForHTTP10 {
            append("Connection: keep-alive\r\n")
        }
        append("\r\n")
    }

    /// Whether the response asks for the connection to be closed.
    static func requestsClose(_ response: HTTPResponse) -> Bool {
        response.headers.contains { field in
            HTTPHeaders.namesEqual(field.name, "Connection")
                && field.value.split(separator: ",").contains { $0.trimmingSpaces.lowercased() == "close" }
        }
    }

    private static func isServerOwned(_ name: String) -> Bool {
        switch name.utf8.count {
        case 10: HTTPHeaders.namesEqual(name, "Connection")
        case 14: HTTPHeaders.namesEqual(name, "Content-Length")
        case 17: HTTPHeaders.namesEqual(name, "Transfer-Encoding")
        default: false
        }
    }

    private static func isSafe(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    private mutating func append(_ text: StaticString) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func appendDecimal(_ value: Int) {
        if value >= 10 { appendDecimal(value / 10) }
        buffer.append(UInt8(48 + value % 10))
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
