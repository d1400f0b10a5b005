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
package struct MailReader: Sendable {
    /// A mailbox as a reader sees it: the display name decoded (nil without one) and the address.
    package struct Mailbox: Sendable, Hashable, CustomStringConvertible {
        package var name: String?
        package var address: String

        package init(name: String?, address: String) {
            self.name = name
            self.address = address
        }

        package var description: String { "\(name.map { "\($0.debugDescription) " } ?? "")<\(address)>" }
    }

    /// A decoded body part: its media type, transfer encoding and text (line ends as LF).
    package struct Part: Sendable, Hashable {
        package var type: String
        package var encoding: String
        package var text: String

        package init(type: String, encoding: String, text: String) {
            self.type = type
            self.encoding = encoding
            self.text = text
        }
    }

    /// Why the message or a header did not read.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
        init(_ description: String) { self.description = description }
    }

    /// The header fields in order: name and unfolded value (leading whitespace removed).
    package let headers: [(name: String, value: String)]
    /// The leaf parts, in order.
    package let parts: [Part]

    /// - Throws: `Failure` for a header line without a colon, a continuation before any field, a
    ///   multipart body without its parts, or a part that does not decode.
    package init(_ bytes: [UInt8]) throws(Failure) {
        let (headers, body) = try Self.split(bytes)
        self.headers = headers
        parts = try Self.parts(headers: headers, body: body)
    }

    /// The values of every field named `name` (case-insensitive).
    package func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The mailboxes of the one field `name`; empty when it is absent.
    ///
    /// - Throws: when the field appears more than once or does not parse.
    package func mailboxes(_ name: String) throws(Failure) -> [Mailbox] {
        let values = values(name)
        guard values.count <= 1 else { throw Failure("\(name) appears \(values.count) times") }
        guard let value = values.first else { return [] }
        return try Self.mailboxes(value)
    }

    /// The decoded text of the one unstructured field `name`, nil when absent.
    ///
    /// - Throws: when the field appears more than once.
    package func text(_ name: String) throws(Failure) -> String? {
        let values = values(name)
        guard values.count <= 1 else { throw Failure("\(name) appears \(values.count) times") }
        return values.first.map(Self.decodeUnstructured)
    }

    // MARK: - Headers

    /// The header fields (unfolded) and the body of a message or a part.
    static func split(_ bytes: [UInt8]) throws(Failure) -> ([(name: String, value: String)], [UInt8]) {
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
}
