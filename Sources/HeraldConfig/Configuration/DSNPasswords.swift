/// The passwords written in a libpq connection string, for masking: of a key=value DSN
/// (`password=…`, `password = '…'`, and `sslpassword`, the client key's passphrase), of a URI's
/// user information (`postgresql://user:…@host`, or any URL with a password: the console masks
/// them in the file it shows) and of a URI's query (`?sslmode=require&password=…`), each as
/// written and percent-decoded. Pieces shorter than four characters are left out: masking them
/// would mask ordinary words.
struct DSNPasswords {
    private(set) var all: [String] = []

    init(_ dsn: String) {
        if let scheme = dsn.firstRange(of: "://") {
            let rest = dsn[scheme.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                let password = authority[authority.index(after: colon)..<at]
                add(password)
                // A password with an "@" in it splits wrongly in libpq's own error; cover each piece.
                if password.contains("@") {
                    for piece in password.split(separator: "@") { add(piece) }
                }
            }
            if let query = rest.firstIndex(of: "?") {
                for parameter in rest[rest.index(after: query)...].split(separator: "&") {
                    let parts = parameter.split(separator: "=", maxSplits: 1)
                    if parts.count == 2, Self.keywords.contains(String(parts[0])) { add(parts[1]) }
                }
            }
        } else {
            for keyword in Self.keywords { addValues(of: keyword, in: dsn) }
        }
        all = all.filter { $0.count >= 4 }
    }

    /// libpq's options that hold a secret.
    private static let keywords = ["password", "sslpassword"]

    /// `password=value`, `password = 'quoted \' value'`: libpq's key=value syntax, where spaces may
    /// surround the "=" and a quoted value escapes quotes and backslashes with a backslash.
    private mutating func addValues(of name: String, in dsn: String) {
        var rest = dsn[...]
        while let keyword = rest.firstRange(of: name) {
            let before = rest[..<keyword.lowerBound].last
            rest = rest[keyword.upperBound...].drop { $0 == " " || $0 == "\t" }
            guard before == nil || before == " " || before == "\t", rest.first == "=" else { continue }
            rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
            var value = ""
            if rest.first == "'" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "'" {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        value.append(escaped)
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
            } else {
                value = String(rest.prefix { $0 != " " && $0 != "\t" })
                rest = rest.dropFirst(value.count)
            }
            add(value[...])
        }
    }

    private mutating func add(_ written: Substring) {
        all.append(String(written))
        if let decoded = Self.percentDecoded(written), decoded != written { all.append(decoded) }
    }

    /// `text` with its %XX escapes decoded, or nil when one is malformed or the bytes are not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
