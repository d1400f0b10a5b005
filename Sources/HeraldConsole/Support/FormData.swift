/// An `application/x-www-form-urlencoded` body or a URL query, decoded: names and values with
/// `+` as space and `%XX` escapes. Repeated names keep their first value.
package struct FormData: Sendable {
    private var fields: [(name: String, value: String)] = []

    /// At most this many fields are read; the rest are ignored.
    package static let maxFields = 64

    package init(_ text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true).prefix(Self.maxFields) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields.append((Self.decode(parts[0]), parts.count == 2 ? Self.decode(parts[1]) : ""))
        }
    }

    package init(body: [UInt8]) {
        self.init(String(decoding: body, as: UTF8.self))
    }

    /// The first value of `name`; nil when absent. Empty values count as absent for filters.
    package subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The value of `name` trimmed, nil when absent or empty.
    package func nonEmpty(_ name: String) -> String? {
        guard let value = self[name]?.withoutSurroundingSpaces, !value.isEmpty else { return nil }
        return value
    }

    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next() else {
                    bytes.append(byte)
                    break
                }
                guard let low = iterator.next() else {
                    bytes += [byte, high]
                    break
                }
                if let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                    bytes.append(value)
                } else {
                    bytes += [byte, high, low]
                }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    var withoutSurroundingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !" \t\r\n".unicodeScalars.contains($0) }),
            let last = scalars.lastIndex(where: { !" \t\r\n".unicodeScalars.contains($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
