import HeraldCore

/// An `application/x-www-form-urlencoded` body (WHATWG URL standard §5.1): `name=value` pairs
/// joined by `&`, `+` for a space, `%XX` escapes. Strict where leniency would hide a broken
/// sender: an escape that is not two hex digits, or a value that is not UTF-8, is an error.
package struct FormBody {
    /// The pairs in the order they came.
    package let pairs: [(name: String, value: String)]

    package init(_ body: [UInt8]) throws(IngressRejection) {
        var pairs: [(String, String)] = []
        for part in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: UInt8(ascii: "="))
            let name = try FormBody.decode(part[..<(equals ?? part.endIndex)])
            var value = ""
            if let equals { value = try FormBody.decode(part[part.index(after: equals)...]) }
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    /// The value of the only pair named `name`; nil when absent.
    /// - Throws: when the name appears more than once (which one would be meant?).
    package func value(_ name: String) throws(IngressRejection) -> String? {
        let values = pairs.filter { $0.name == name }
        guard values.count <= 1 else { throw IngressRejection(.badForm, "'\(name)' appears \(values.count) times") }
        return values.first?.value
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) throws(IngressRejection) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                decoded.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard bytes.endIndex - index >= 3, let high = Hex.value(bytes[index + 1]),
                    let low = Hex.value(bytes[index + 2])
                else { throw IngressRejection(.badForm, "a '%' escape is not followed by two hex digits") }
                decoded.append(high << 4 | low)
                index += 2
            default:
                decoded.append(byte)
            }
            index += 1
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw IngressRejection(.badForm, "a form field is not valid UTF-8")
        }
        return text
    }
}
