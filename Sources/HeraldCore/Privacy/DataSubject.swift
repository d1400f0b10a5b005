/// A person whose data an operator asks about (`herald forget|export`): a Kratos identity id, an
/// email address, or both (then anything that names either is theirs).
///
/// Herald finds a person's data by what it holds: a job, a dead letter or a kept file is theirs
/// when its stored text names the identity id or the address (case-insensitively, also in its
/// JSON-escaped form). Jobs keep rendered content, not the event, so a job that names neither
/// (a welcome mail to an address alone) is found by the address, not by the identity id: ask
/// with both when both are known.
///
/// ```swift
/// let subject = try DataSubject.parse(identity: "9f4254a5-…", email: "jane@example.com").get()
/// subject.matches(text: payloadJSON)  // true when the payload names either
/// ```
package struct DataSubject: Sendable, Equatable {
    /// The Kratos identity id, lower-case.
    package let identity: String?
    /// The email address, lower-case.
    package let email: String?

    /// Why `identity` or `email` cannot name a person, nil when they can (at least one is given;
    /// the identity a UUID as Kratos writes them; the address `local@domain` without spaces).
    /// Log-safe: never quotes the values.
    package static func problem(identity: String?, email: String?) -> String? {
        if identity == nil && email == nil { return "give --identity ID or --email ADDRESS (or both)" }
        if let identity, !UUIDText.isValid(identity) {
            return "the identity id must be a Kratos identity id (a UUID such as 9f4254a5-2b7c-4c3e-8f3a-0d1e2f3a4b5c)"
        }
        if let email {
            let bytes = Array(email.utf8)
            guard bytes.count <= 320, let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1,
                !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F })
            else { return "the email address must look like local@domain (no spaces, at most 320 bytes)" }
        }
        return nil
    }

    /// The byte strings searched for, lower-case: each value, its JSON-escaped form when it
    /// differs, and the address's MD5 (hex), by which Mailchimp's member paths name it.
    package let needles: [[UInt8]]
    /// Whether the address has letters beyond ASCII (`jörg@…`): stored text is then lower-cased
    /// as Unicode, so that `JÖRG@…` is found too; otherwise byte by byte, which is quicker.
    private let unicodeCase: Bool

    /// The subject, or nil when `problem(identity:email:)` has something to say.
    package init?(identity: String?, email: String?) {
        guard Self.problem(identity: identity, email: email) == nil else { return nil }
        self.identity = identity?.lowercased()
        self.email = email?.lowercased()
        needles = Self.needles(identity: self.identity, email: self.email)
        unicodeCase = email.map { $0.utf8.contains { $0 >= 0x80 } } ?? false
    }

    /// True when `text` names the identity id or the address (case-insensitively; also their
    /// JSON-escaped forms, so that stored JSON is searched as it is).
    package func matches(text: some Collection<UInt8>) -> Bool {
        let haystack =
            unicodeCase
            ? Array(String(decoding: Array(text), as: UTF8.self).lowercased().utf8) : text.map(\.asciiLowercased)
        return haystack.withUnsafeBufferPointer { haystack in needles.contains { haystack.containsBytes($0) } }
    }

    /// `matches(text:)` on a string.
    package func matches(_ text: String) -> Bool { matches(text: text.utf8) }

    /// `matches(text:)` on a JSON value's compact serialisation.
    package func matches(json: JSON) -> Bool { matches(text: json.serialized()) }

    /// `needles`, made once: every stored job is searched with them.
    private static func needles(identity: String?, email: String?) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for value in [identity, email].compactMap({ $0 }) {
            let raw = Array(value.utf8)
            result.append(raw)
            let escaped = Array(JSON.string(value).serialized().dropFirst().dropLast()).map(\.asciiLowercased)
            if escaped != raw { result.append(escaped) }
        }
        // Mailchimp's member paths name an address by the MD5 of its lower-case form only.
        if let email { result.append(Array(MD5.hexDigest(Array(email.utf8)).utf8)) }
        return result
    }

    /// `identity:ID email:ADDRESS` hashed (SHA-256, hex, first 32 digits): names the request in
    /// an audit log line without the personal data, and lets an auditor who knows the person
    /// check that the line is about them.
    package var digest: String {
        let text = [identity.map { "identity:" + $0 }, email.map { "email:" + $0 }].compactMap { $0 }.joined(
            separator: " ")
        return String(SHA256.hexDigest(text).prefix(32))
    }

    /// The control socket's query form: `identity=…&email=…` (percent-encoded).
    package var query: [String] {
        var items: [String] = []
        if let identity { items.append("identity=\(PercentEncoding.encode(identity))") }
        if let email { items.append("email=\(PercentEncoding.encode(email))") }
        return items
    }

    /// JSON for reports: the values asked about.
    package var json: JSON {
        var object = JSONObject()
        if let identity { object["identity"] = .string(identity) }
        if let email { object["email"] = .string(email) }
        return .object(object)
    }
}
