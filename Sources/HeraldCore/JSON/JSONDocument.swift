/// A parsed JSON text: the input bytes plus a flat tape of its values (no tree, no decoded strings).
///
/// Parsing validates everything RFC 8259 asks for (strictly: no comments, trailing commas, leading
/// zeros, NaN, single quotes or byte order mark; UTF-8 validated) and records where each value lies,
/// so that lookups are cheap and strings are decoded only when read. Read it through `root`.
///
/// ```swift
/// let document = try JSONDocument(parsing: body)
/// let email = document.root["identity"]?["traits"]?["email"]?.string
/// ```
package struct JSONDocument: Sendable {
    let storage: JSONStorage

    /// Parses `bytes`, which the document keeps (no copy).
    ///
    /// - Throws: `JSONParseError` with the offset and reason of the first problem, including
    ///   violations of `limits`.
    package init(parsing bytes: [UInt8], limits: JSONLimits = .default) throws(JSONParseError) {
        let tape = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
            try JSONParser.parse(buffer, limits: limits)
        }
        storage = JSONStorage(bytes: bytes, tape: tape)
    }

    /// Parses a copy of `bytes`.
    package init(parsing bytes: UnsafeRawBufferPointer, limits: JSONLimits = .default) throws(JSONParseError) {
        if bytes.count > limits.maxBytes {
            throw JSONParseError(offset: max(0, limits.maxBytes), reason: "input larger than \(limits.maxBytes) bytes")
        }
        try self.init(parsing: [UInt8](bytes), limits: limits)
    }

    /// Parses the UTF-8 form of `text`.
    package init(parsing text: String, limits: JSONLimits = .default) throws(JSONParseError) {
        try self.init(parsing: [UInt8](text.utf8), limits: limits)
    }

    /// The top-level value.
    package var root: JSONValue { JSONValue(storage: storage, index: 0) }

    /// The bytes that were parsed.
    package var bytes: [UInt8] { storage.bytes }
}

extension JSON {
    /// Parses `bytes` into an owned tree; shorthand for `JSONDocument(parsing:limits:).root.json`.
    package init(parsing bytes: [UInt8], limits: JSONLimits = .default) throws(JSONParseError) {
        self = try JSONDocument(parsing: bytes, limits: limits).root.json
    }

    /// Parses the UTF-8 form of `text` into an owned tree.
    package init(parsing text: String, limits: JSONLimits = .default) throws(JSONParseError) {
        self = try JSONDocument(parsing: text, limits: limits).root.json
    }
}
