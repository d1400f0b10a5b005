import Foundation

/// MIME bodies: multipart sections and transfer encodings.
extension MailReader {
    /// The leaf parts of a body with `headers`, multipart bodies taken apart.
    static func parts(headers: [(name: String, value: String)], body: [UInt8]) throws(Failure) -> [Part] {
        let type = headers.last { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        let encoding = headers.last { $0.name.lowercased() == "content-transfer-encoding" }?.value ?? "7bit"
        let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let mediaType, mediaType.hasPrefix("multipart/") else {
            return [Part(type: mediaType ?? "text/plain", encoding: encoding, text: try decode(body, encoding))]
        }
        guard let range = type.range(of: "boundary=\"") ?? type.range(of: "boundary="),
            let boundary = type[range.upperBound...].split(whereSeparator: { $0 == "\"" || $0 == ";" }).first
        else { throw Failure("a multipart body without a boundary") }
        // On bytes: String comparison would join a combining mark after a delimiter to it.
        let delimiter = Array(("--" + boundary).utf8)
        let lines = lines(of: body)
        guard lines.contains(delimiter), lines.contains(delimiter + Array("--".utf8)) else {
            throw Failure("a multipart body without its delimiters")
        }
        var parts: [Part] = []
        var current: [[UInt8]]?
        for line in lines {
            if line == delimiter || line == delimiter + Array("--".utf8) {
                if let section = current {
                    let (partHeaders, partBody) = try split(Array(section.joined(separator: [0x0D, 0x0A])))
                    parts += try Self.parts(headers: partHeaders, body: partBody)
                }
                if line != delimiter { break }
                current = []
            } else if line.starts(with: delimiter) {
                throw Failure("a delimiter line with text after it")
            } else if current != nil {
                current?.append(line)
            }
        }
        return parts
    }

    private static func decode(_ body: [UInt8], _ encoding: String) throws(Failure) -> String {
        let bytes: [UInt8]
        switch encoding.lowercased() {
        case "7bit", "8bit":
            bytes = body
        case "base64":
            let text = String(decoding: body.filter { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
            guard let data = Data(base64Encoded: text) else { throw Failure("a base64 part that does not decode") }
            bytes = Array(data)
        case "quoted-printable":
            bytes = try decodeQuotedPrintable(body)
        default:
            throw Failure("an unknown transfer encoding \(encoding.debugDescription)")
        }
        // Line ends as LF, on bytes (a combining mark after CRLF would hide it from String search).
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            let isCRBeforeLF = byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A
            if !isCRBeforeLF { text.append(byte) }
        }
        guard let decoded = String(validating: text, as: UTF8.self) else { throw Failure("a part that is not UTF-8") }
        return decoded
    }

    /// The CRLF-separated lines of `bytes`, without their CRLF.
    private static func lines(of bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                lines.append(line)
                line = []
                index += 2
            } else {
                line.append(bytes[index])
                index += 1
            }
        }
        lines.append(line)
        return lines
    }

    private static func decodeQuotedPrintable(_ body: [UInt8]) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < body.count {
            let byte = body[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < body.count, body[index + 1] == 0x0D, body[index + 2] == 0x0A {
                    index += 3
                    continue
                }
                guard index + 2 < body.count, let value = hexByte(body[index + 1], body[index + 2])
                else { throw Failure("a quoted-printable '=' not followed by two hex digits") }
                output.append(value)
                index += 3
                continue
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// Two hex digits (upper or lower case) as a byte.
    static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        func digit(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        guard let high = digit(high), let low = digit(low) else { return nil }
        return high << 4 | low
    }
}
