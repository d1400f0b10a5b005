/// `%XX` escapes (RFC 3986 §2.1), both ways: the one encoder of text for a URL's query (a
/// template's `urlencode`, the console's links, the control socket's queries) and the one
/// lenient reader of text a person or another program wrote (a query, a form, a connection
/// string). (Ingress' `FormBody` reads strictly instead: a broken sender must hear of it.)
package enum PercentEncoding {
    private static let digits = Array("0123456789ABCDEF".utf8)

    /// `text` with everything but RFC 3986's unreserved characters (letters, digits, `-._~`)
    /// percent-encoded, so that it is safe in any part of a URL.
    package static func encode(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` with each `%XX` replaced by its byte, and `+` by a space when `plusAsSpace` (forms
    /// and queries, `application/x-www-form-urlencoded`). Lenient: a `%` not followed by two hex
    /// digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
    package static func decode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String {
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), index + 2 < utf8.count, let high = Hex.value(utf8[index + 1]),
                let low = Hex.value(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
                continue
            }
            bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
