/// The last check of the bytes handed to curl for `DATA`. `EMLWriter` writes 7-bit text with CRLF
/// line ends; this makes sure nothing else is ever sent: curl cannot declare `BODY=8BITMIME`, and a
/// bare CR or LF, or a NUL, is what SMTP smuggling needs (a server that ends a line or the data
/// differently than the next hop reads a second message out of the first).
enum SmtpMessageCheck {
    /// RFC 5321 §4.5.3.1.6: a line of text holds at most 998 octets before its CRLF.
    static let maxLineLength = 998

    /// Why `bytes` must not be sent, nil when they can be.
    static func problem(_ bytes: [UInt8]) -> String? {
        var lineLength = 0
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case 0x00:
                return "holds a NUL byte"
            case 0x0D:
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { return "holds a CR without LF" }
            case 0x0A:
                guard index > 0, bytes[index - 1] == 0x0D else { return "holds an LF without CR" }
                lineLength = 0
                continue
            case 0x80...:
                return "is not 7-bit text"
            default:
                lineLength += 1
                if lineLength > maxLineLength { return "has a line longer than \(maxLineLength) octets" }
            }
        }
        return nil
    }
}
