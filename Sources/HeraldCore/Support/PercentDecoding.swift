/// `%XX` escapes (RFC 3986 §2.1) read back, for text a person or another program wrote: a URL's
/// query, a form, a connection string. Lenient: a `%` not followed by two hex digits stays as
/// it is, and bytes that are not UTF-8 become U+FFFD. (Ingress' `FormBody` is strict instead: a
/// broken sender must hear of it.)
package enum PercentDecoding {
    /// `text` with each `%XX` replaced by its byte, and `+` by a space when `plusAsSpace` (forms
    /// and queries, `application/x-www-form-urlencoded`).
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
