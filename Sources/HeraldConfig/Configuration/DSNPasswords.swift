import HeraldCore

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
            for (name, value) in URLQuery.parameters(of: rest) where Self.keywords.contains(String(name)) {
                if let value { add(value) }
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
            rest = rest[keyword.upperBound...].drop(while: Self.isSpace)
            guard before.map(Self.isSpace) ?? true, rest.first == "=" else { continue }
            rest = rest.dropFirst().drop(while: Self.isSpace)
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
                value = String(rest.prefix { !Self.isSpace($0) })
                rest = rest.dropFirst(value.count)
            }
            add(value[...])
        }
    }

    /// What separates libpq's options (C's `isspace`).
    private static func isSpace(_ character: Character) -> Bool {
        character == " " || character == "\t" || character == "\n" || character == "\r" || character == "\u{0B}"
            || character == "\u{0C}" || character == "\r\n"
    }

    private mutating func add(_ written: Substring) {
        all.append(String(written))
        let decoded = PercentEncoding.decode(written)
        if decoded != written { all.append(decoded) }
    }
}
