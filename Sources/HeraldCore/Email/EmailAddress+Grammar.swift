extension EmailAddress {
    /// The longest address an SMTP path holds (RFC 5321 §4.5.3.1.3: a 256-octet path, brackets
    /// included).
    package static let maxPlainAddressLength = 254
    /// The longest local part (RFC 5321 §4.5.3.1.1).
    package static let maxLocalPartLength = 64

    /// True when `email` is a plain address that a header and an SMTP envelope carry exactly as it
    /// is (see `plainAddressProblem`).
    package var isPlainAddress: Bool { Self.plainAddressProblem(email) == nil }

    /// Why `email` cannot go into `MAIL FROM`, `RCPT TO` or an address header as it is; nil when it
    /// can. Log-safe: the text never quotes the address.
    package var plainAddressProblem: String? { Self.plainAddressProblem(email) }

    /// Why `text` is not a plain address, nil when it is: `local@domain` in ASCII, the local part a
    /// dot-atom (RFC 5322 §3.2.3: letters, digits and ``!#$%&'*+-/=?^_`{|}~``, dots between them),
    /// the domain host-name labels (letters, digits, hyphens inside) or an address literal
    /// (`[192.0.2.1]`, `[IPv6:2001:db8::1]`). Anything else — specials such as `<`, `>`, `,`, `"`,
    /// `(`, `;`, `:`, `\`, whitespace, control characters, a second `@`, a quoted local part,
    /// non-ASCII (SMTPUTF8) — is refused, so an address can never add a mailbox to a header or a
    /// parameter to an SMTP command.
    package static func plainAddressProblem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return "it is empty" }
        if bytes.count > maxPlainAddressLength { return "it is longer than \(maxPlainAddressLength) characters" }
        if bytes.contains(where: { $0 >= 0x80 }) {
            return "it is not ASCII (internationalised addresses are not supported)"
        }
        if let byte = bytes.first(where: { $0 <= 0x20 || $0 == 0x7F }) {
            return byte == 0x20 ? "it holds a space" : "it holds a control character"
        }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return "it has no @" }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        if local.isEmpty { return "nothing comes before the @" }
        if domain.isEmpty { return "nothing comes after the @" }
        if local.count > maxLocalPartLength { return "the part before the @ is longer than \(maxLocalPartLength)" }
        if let special = local.first(where: { !isAtomText($0) && $0 != UInt8(ascii: ".") }) {
            return "it holds '\(Character(Unicode.Scalar(special)))', which an address may only hold quoted"
        }
        if local.first == UInt8(ascii: ".") || local.last == UInt8(ascii: ".")
            || zip(local, local.dropFirst()).contains(where: { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") })
        {
            return "the part before the @ has a dot at an end or two in a row"
        }
        if domain.first == UInt8(ascii: "[") { return addressLiteralProblem(domain) }
        return hostNameProblem(domain)
    }

    /// RFC 5322 `atext`: what an atom may hold besides dots.
    static func isAtomText(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    private static func hostNameProblem(_ domain: ArraySlice<UInt8>) -> String? {
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { return "the domain has a dot at an end or two in a row" }
            guard label.count <= 63 else { return "a label of the domain is longer than 63 characters" }
            let isLetterOrDigit: (UInt8) -> Bool = {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0 | 0x20)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            }
            guard label.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else {
                return "the domain holds a character other than letters, digits, hyphens and dots"
            }
            guard let first = label.first, let last = label.last, isLetterOrDigit(first), isLetterOrDigit(last) else {
                return "a label of the domain starts or ends with a hyphen"
            }
        }
        return nil
    }

    /// `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3), checked for its characters only.
    private static func addressLiteralProblem(_ domain: ArraySlice<UInt8>) -> String? {
        guard domain.count > 2, domain.last == UInt8(ascii: "]") else {
            return "the domain starts with '[' but is not an address literal"
        }
        var inside = domain.dropFirst().dropLast()
        let ipv6Tag = Array("IPv6:".utf8)
        let isIPv6 = inside.starts(with: ipv6Tag)
        if isIPv6 { inside = inside.dropFirst(ipv6Tag.count) }
        let allowed: (UInt8) -> Bool = {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".")
                || (isIPv6 && ((UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0 | 0x20) || $0 == UInt8(ascii: ":")))
        }
        guard !inside.isEmpty, inside.allSatisfy(allowed) else {
            return "the domain is not an IPv4 or IPv6 address literal"
        }
        return nil
    }
}
