import Foundation

/// Reads an RFC 5322 message the way a mail client does, written apart from Herald's writer so that
/// tests and the fuzz target can check what the writer means against what a reader sees: headers
/// unfolded, address lists parsed (atoms, quoted strings, comments, angle addresses, RFC 2047 encoded
/// words in display names), unstructured text decoded, MIME parts decoded (7bit, 8bit,
/// quoted-printable, base64). Strict where Herald's output must be: an address list that does not
/// parse, an encoded word that does not decode, a part without its boundary are errors.
///
/// ```swift
/// let mail = try MailReader(Array(text.utf8))
/// #expect(try mail.mailboxes("From") == [.init(name: "Example", address: "hello@example.com")])
/// ```
public struct MailReader: Sendable {
    /// A mailbox as a reader sees it: the display name decoded (nil without one) and the address.
    public struct Mailbox: Sendable, Hashable, CustomStringConvertible {
        public var name: String?
        public var address: String

        public init(name: String?, address: String) {
            self.name = name
            self.address = address
        }

        public var description: String { "\(name.map { "\($0.debugDescription) " } ?? "")<\(address)>" }
    }

    /// A decoded body part: its media type, transfer encoding and text (line ends as LF).
    public struct Part: Sendable, Hashable {
        public var type: String
        public var encoding: String
        public var text: String

        public init(type: String, encoding: String, text: String) {
            self.type = type
            self.encoding = encoding
            self.text = text
        }
    }

    /// Why the message or a header did not read.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The header fields in order: name and unfolded value (leading whitespace removed).
    public let headers: [(name: String, value: String)]
    /// The leaf parts, in order.
    public let parts: [Part]

    /// - Throws: `Failure` for a header line without a colon, a continuation before any field, a
    ///   multipart body without its parts, or a part that does not decode.
    public init(_ bytes: [UInt8]) throws(Failure) {
        let (headers, body) = try Self.split(bytes)
        self.headers = headers
        parts = try Self.parts(headers: headers, body: body)
    }

    /// The values of every field named `name` (case-insensitive).
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The mailboxes of the one field `name`; empty when it is absent.
    ///
    /// - Throws: when the field appears more than once or does not parse.
    public func mailboxes(_ name: String) throws(Failure) -> [Mailbox] {
        let values = values(name)
        guard values.count <= 1 else { throw Failure("\(name) appears \(values.count) times") }
        guard let value = values.first else { return [] }
        return try Self.mailboxes(value)
    }

    /// The decoded text of the one unstructured field `name`, nil when absent.
    ///
    /// - Throws: when the field appears more than once.
    public func text(_ name: String) throws(Failure) -> String? {
        let values = values(name)
        guard values.count <= 1 else { throw Failure("\(name) appears \(values.count) times") }
        return values.first.map(Self.decodeUnstructured)
    }

    // MARK: - Headers

    private static func split(_ bytes: [UInt8]) throws(Failure) -> ([(name: String, value: String)], [UInt8]) {
        var lines: [[UInt8]] = []
        var index = 0
        var bodyStart = bytes.count
        while index < bytes.count {
            var end = index
            while end < bytes.count, bytes[end] != 0x0D && bytes[end] != 0x0A { end += 1 }
            let line = Array(bytes[index..<end])
            var next = end
            if next < bytes.count, bytes[next] == 0x0D { next += 1 }
            if next < bytes.count, bytes[next] == 0x0A { next += 1 }
            if line.isEmpty {
                bodyStart = next
                break
            }
            lines.append(line)
            index = next
        }
        var fields: [(name: String, value: [UInt8])] = []
        for line in lines {
            if line.first == 0x20 || line.first == 0x09 {
                guard !fields.isEmpty else { throw Failure("a continuation line before any field") }
                fields[fields.count - 1].value += line
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw Failure(
                    "a header line without a colon: \(String(decoding: line, as: UTF8.self).debugDescription)")
            }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            guard !name.isEmpty, name.utf8.allSatisfy({ (33...126).contains($0) }) else {
                throw Failure("a header name that is not printable ASCII: \(name.debugDescription)")
            }
            fields.append((name, Array(line[(colon + 1)...])))
        }
        let headers = fields.map { field in
            (field.name, String(decoding: field.value.drop { $0 == 0x20 || $0 == 0x09 }, as: UTF8.self))
        }
        return (headers, Array(bytes[min(bodyStart, bytes.count)...]))
    }

    // MARK: - Address lists

    private enum Token: Equatable {
        case atom(String)
        case quoted(String)
        case angle(String)
        case comma
        case at
        case dot
    }

    /// The mailboxes of an address list (RFC 5322 §3.4; groups are not supported).
    ///
    /// - Throws: for anything that is not a list of mailboxes.
    public static func mailboxes(_ value: String) throws(Failure) -> [Mailbox] {
        let tokens = try tokenize(value)
        var mailboxes: [Mailbox] = []
        var current: [(token: Token, spaceBefore: Bool)] = []
        func finish() throws(Failure) {
            guard !current.isEmpty else { throw Failure("an empty mailbox in \(value.debugDescription)") }
            mailboxes.append(try mailbox(current.map(\.token), in: value))
            current = []
        }
        for item in tokens {
            if item.token == .comma {
                try finish()
            } else {
                current.append(item)
            }
        }
        try finish()
        return mailboxes
    }

    private static func mailbox(_ tokens: [Token], in value: String) throws(Failure) -> Mailbox {
        if let angleIndex = tokens.firstIndex(where: { if case .angle = $0 { true } else { false } }) {
            guard angleIndex == tokens.count - 1, case .angle(let address) = tokens[angleIndex] else {
                throw Failure("text after an angle address in \(value.debugDescription)")
            }
            let phrase = Array(tokens[..<angleIndex])
            return Mailbox(name: phrase.isEmpty ? nil : try decodePhrase(phrase, in: value), address: address)
        }
        // A bare addr-spec: atoms, dots and one @, no quoted parts (Herald never writes them).
        var address = ""
        for token in tokens {
            switch token {
            case .atom(let text): address += text
            case .at: address += "@"
            case .dot: address += "."
            default: throw Failure("a mailbox that is neither name <address> nor an address: \(value.debugDescription)")
            }
        }
        guard address.split(separator: "@", omittingEmptySubsequences: false).count == 2 else {
            throw Failure("an address without exactly one @ in \(value.debugDescription)")
        }
        return Mailbox(name: nil, address: address)
    }

    /// The words of a display name: quoted strings as their content, encoded words decoded (joined
    /// without the space between two of them), other words as they are, joined by one space.
    private static func decodePhrase(_ tokens: [Token], in value: String) throws(Failure) -> String {
        var result = ""
        var previousWasEncoded = false
        for (index, token) in tokens.enumerated() {
            let word: String
            var isEncoded = false
            switch token {
            case .quoted(let text): word = text
            case .atom(let text):
                if let decoded = decodeEncodedWord(text) {
                    word = decoded
                    isEncoded = true
                } else if text.hasPrefix("=?") && text.hasSuffix("?=") {
                    throw Failure("an encoded word that does not decode: \(text)")
                } else {
                    word = text
                }
            case .dot: word = "."
            default: throw Failure("a display name holding \(token) in \(value.debugDescription)")
            }
            if index > 0 && !(isEncoded && previousWasEncoded) { result += " " }
            result += word
            previousWasEncoded = isEncoded
        }
        return result
    }

    private static func tokenize(_ value: String) throws(Failure) -> [(token: Token, spaceBefore: Bool)] {
        let scalars = Array(value.unicodeScalars)
        var tokens: [(token: Token, spaceBefore: Bool)] = []
        var index = 0
        var space = false
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t", "\r", "\n":
                space = true
                index += 1
                continue
            case "(":
                var depth = 0
                repeat {
                    switch scalars[index] {
                    case "\\": index += 1
                    case "(": depth += 1
                    case ")": depth -= 1
                    default: break
                    }
                    index += 1
                } while index < scalars.count && depth > 0
                guard depth == 0 else { throw Failure("an unclosed comment in \(value.debugDescription)") }
                space = true
                continue
            case "\"":
                var text = ""
                index += 1
                var closed = false
                while index < scalars.count {
                    if scalars[index] == "\\", index + 1 < scalars.count {
                        text.unicodeScalars.append(scalars[index + 1])
                        index += 2
                    } else if scalars[index] == "\"" {
                        closed = true
                        index += 1
                        break
                    } else {
                        // Folding inside a quoted string: the CRLF goes, the space stays.
                        if scalars[index] != "\r" && scalars[index] != "\n" {
                            text.unicodeScalars.append(scalars[index])
                        }
                        index += 1
                    }
                }
                guard closed else { throw Failure("an unclosed quoted string in \(value.debugDescription)") }
                tokens.append((.quoted(text), space))
            case "<":
                guard let close = scalars[index...].firstIndex(of: ">") else {
                    throw Failure("an unclosed angle address in \(value.debugDescription)")
                }
                var address = ""
                address.unicodeScalars.append(contentsOf: scalars[(index + 1)..<close])
                guard !address.isEmpty, !address.contains(where: { " <\",;()\\".contains($0) }) else {
                    throw Failure("an angle address that is not plain: \(address.debugDescription)")
                }
                tokens.append((.angle(address), space))
                index = close + 1
            case ",": tokens.append((.comma, space)); index += 1
            case "@": tokens.append((.at, space)); index += 1
            case ".": tokens.append((.dot, space)); index += 1
            case ":", ";", ">", "[", "]", "\\":
                throw Failure("'\(scalar)' outside a quoted string in \(value.debugDescription)")
            default:
                var text = ""
                while index < scalars.count, !" \t\r\n()<>[]:;@\\,\".".unicodeScalars.contains(scalars[index]) {
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                // An encoded word may hold a dot (a Q-encoded one); keep it in one token.
                while text.hasPrefix("=?"), !text.hasSuffix("?="), index < scalars.count, scalars[index] == "." {
                    text += "."
                    index += 1
                    while index < scalars.count, !" \t\r\n()<>[]:;@\\,\"".unicodeScalars.contains(scalars[index]) {
                        text.unicodeScalars.append(scalars[index])
                        index += 1
                    }
                }
                tokens.append((.atom(text), space))
            }
            space = false
        }
        return tokens
    }

    // MARK: - Encoded words and unstructured text

    /// `=?charset?B|Q?text?=` decoded when the charset is UTF-8 or US-ASCII, nil otherwise.
    public static func decodeEncodedWord(_ word: String) -> String? {
        guard word.hasPrefix("=?"), word.hasSuffix("?="), word.count >= 8 else { return nil }
        let inner = word.dropFirst(2).dropLast(2)
        let pieces = inner.split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, ["utf-8", "us-ascii"].contains(pieces[0].lowercased()) else { return nil }
        let bytes: [UInt8]
        switch pieces[1].uppercased() {
        case "B":
            guard let data = Data(base64Encoded: String(pieces[2])) else { return nil }
            bytes = Array(data)
        case "Q":
            var decoded: [UInt8] = []
            let text = Array(pieces[2].utf8)
            var index = 0
            while index < text.count {
                if text[index] == UInt8(ascii: "_") {
                    decoded.append(0x20)
                } else if text[index] == UInt8(ascii: "="), index + 2 < text.count,
                    let value = hexByte(text[index + 1], text[index + 2])
                {
                    decoded.append(value)
                    index += 2
                } else {
                    decoded.append(text[index])
                }
                index += 1
            }
            bytes = decoded
        default:
            return nil
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Unstructured text (RFC 5322 §3.2.5) with its encoded words decoded; whitespace between two
    /// encoded words dropped (RFC 2047 §6.2), other whitespace kept as it is.
    public static func decodeUnstructured(_ value: String) -> String {
        var result = ""
        var pendingSpace = ""
        var word = ""
        var previousWasEncoded = false
        func flushWord() {
            guard !word.isEmpty else { return }
            if let decoded = decodeEncodedWord(word) {
                if !previousWasEncoded { result += pendingSpace }
                result += decoded
                previousWasEncoded = true
            } else {
                result += pendingSpace + word
                previousWasEncoded = false
            }
            pendingSpace = ""
            word = ""
        }
        for character in value {
            if character == " " || character == "\t" {
                flushWord()
                pendingSpace.append(character)
            } else if character == "\r\n" || character == "\r" || character == "\n" {
                flushWord()
            } else {
                word.append(character)
            }
        }
        flushWord()
        return result + pendingSpace
    }

    // MARK: - Bodies

    private static func parts(headers: [(name: String, value: String)], body: [UInt8]) throws(Failure) -> [Part] {
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
    private static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
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
