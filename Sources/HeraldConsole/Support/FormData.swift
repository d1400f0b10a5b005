import HeraldCore

/// An `application/x-www-form-urlencoded` body or a URL query, decoded: names and values with
/// `+` as space and `%XX` escapes. Repeated names keep their first value.
package struct FormData: Sendable {
    private var fields: [(name: String, value: String)] = []

    /// At most this many fields are read; the rest are ignored.
    package static let maxFields = 64

    package init(_ text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true).prefix(Self.maxFields) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields.append(
                (
                    PercentEncoding.decode(parts[0], plusAsSpace: true),
                    parts.count == 2 ? PercentEncoding.decode(parts[1], plusAsSpace: true) : ""
                ))
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
