import FoundationEssentials

/// Turns a rendered body into the 7-bit text of a MIME part (RFC 2045), so that what Herald sends
/// never depends on a server's 8BITMIME (curl cannot declare `BODY=8BITMIME`: its `MAIL FROM` holds
/// only the address, `AUTH=`, `SIZE=` and `SMTPUTF8`) and no byte of it can end the SMTP data early:
///
/// - every line break (CRLF, a bare CR, a bare LF) becomes CRLF, and NUL characters are dropped,
///   so a body holding `\r.\r` cannot smuggle a second message to a server that reads a bare CR
///   or LF as the end of a line;
/// - ASCII whose lines fit RFC 5322's 998 octets stays as it is (`7bit`);
/// - anything else is quoted-printable, or base64 when over a third of its bytes are not ASCII
///   (text in a script other than Latin), with lines of at most 76 characters.
enum MailBodyEncoder {
    /// RFC 5322 §2.1.1: no line longer than this, CRLF excluded.
    static let maxLineLength = 998
    /// RFC 2045 §6.7 and §6.8: encoded lines of at most 76 characters.
    static let encodedLineLength = 76

    /// The transfer encoding and the encoded text, lines joined with CRLF.
    static func encode(_ text: String) -> (encoding: String, body: String) {
        let lines = normalizedLines(text)
        let total = lines.reduce(0) { $0 + $1.count }
        let eightBit = lines.reduce(0) { $0 + $1.count { $0 >= 0x80 } }
        if eightBit == 0, lines.allSatisfy({ $0.count <= maxLineLength }) {
            return ("7bit", lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\r\n"))
        }
        if eightBit * 3 > total {
            return ("base64", base64(lines))
        }
        return ("quoted-printable", lines.map(quotedPrintable).joined(separator: "\r\n"))
    }

    /// The body as the text a reader decodes from `encode`: line breaks as LF, no NUL.
    static func canonicalText(_ text: String) -> String {
        normalizedLines(text).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
    }

    /// The lines of `text` without their breaks (CRLF, CR or LF each end one) and without NUL.
    static func normalizedLines(_ text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var afterCR = false
        for byte in text.utf8 {
            switch byte {
            case 0x0D:
                lines.append(line)
                line = []
                afterCR = true
                continue
            case 0x0A:
                if !afterCR {
                    lines.append(line)
                    line = []
                }
            case 0x00:
                break
            default:
                line.append(byte)
            }
            afterCR = false
        }
        lines.append(line)
        return lines
    }

    /// One line, quoted-printable (RFC 2045 §6.7): printable ASCII but `=` as it is, a space or
    /// tab as it is unless it ends the line, every other byte `=XX`; soft line breaks (`=` CRLF)
    /// keep each line within 76 characters and never cut an `=XX`.
    static func quotedPrintable(_ line: [UInt8]) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(line.count + line.count / 4)
        var lineLength = 0
        for (index, byte) in line.enumerated() {
            let isLast = index == line.count - 1
            let literal =
                ((33...126).contains(byte) && byte != UInt8(ascii: "="))
                || ((byte == 0x20 || byte == 0x09) && !isLast)
            let unit: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            // Room for the unit and, unless it ends the line, a soft break's `=`.
            let room = isLast ? encodedLineLength : encodedLineLength - 1
            if lineLength + unit.count > room {
                output += [UInt8(ascii: "="), 0x0D, 0x0A]
                lineLength = 0
            }
            output += unit
            lineLength += unit.count
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` in base64 (its lines normalised as `encode` does), for a part that must not be
    /// quoted-printable.
    static func base64(_ text: String) -> String { base64(normalizedLines(text)) }

    /// The lines joined with CRLF (MIME's canonical form of text), in base64 lines of 76.
    private static func base64(_ lines: [[UInt8]]) -> String {
        var bytes: [UInt8] = []
        for (index, line) in lines.enumerated() {
            if index > 0 { bytes += [0x0D, 0x0A] }
            bytes += line
        }
        return Data(bytes).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
    }
}
