/// The one way text from a remote answer (an error message, a recipient's address, a response
/// body) becomes part of a reason, a log line or a CLI screen.
///
/// It knows the action's secrets and replaces each with `<redacted>` before anything else happens,
/// so a key a peer echoes back never goes further; then it drops control characters (terminal
/// escapes among them), collapses whitespace, masks email addresses and bounds the length.
///
/// ```swift
/// let redactor = RemoteTextRedactor(secrets: [apiKey])
/// let reason = "Mandrill answered: " + redactor.clean(message)
/// ```
package struct RemoteTextRedactor: Sendable {
    /// Secrets shorter than this are not searched for: they would redact ordinary words.
    package static let shortestSecret = 4

    private let secrets: [[Unicode.Scalar]]
    /// The same secrets in UTF-8, to tell quickly that a text holds none of them.
    private let secretsInUTF8: [[UInt8]]
    private let longestSecret: Int

    /// - Parameter secrets: the values to redact wherever they appear, also in the forms a peer
    ///   may repeat them in (`encodedForms`); empty and very short ones are ignored.
    package init(secrets: [String]) {
        let forms = secrets.filter { $0.unicodeScalars.count >= Self.shortestSecret }.flatMap(Self.encodedForms)
        self.secrets = Set(forms).map { Array($0.unicodeScalars) }.sorted { $0.count > $1.count }
        secretsInUTF8 = self.secrets.map { secret in
            var text = ""
            text.unicodeScalars.append(contentsOf: secret)
            return Array(text.utf8)
        }
        longestSecret = self.secrets.first?.count ?? 0
    }

    /// `secret` and the other forms in which a peer can repeat it: JSON-escaped (`\"` and `\\`;
    /// also `\/` as PHP writes a slash; also every character but letters, digits and `-._~` as
    /// `\u00XX`, as Go writes `<>&`) and percent-encoded (upper- and lower-case hex), as a URL or
    /// form it quotes has them. A secret of letters, digits and `-._~` has one form only.
    package static func encodedForms(of secret: String) -> [String] {
        var forms = [secret]
        var json = ""
        var jsonSlash = ""
        var jsonUnicode = ""
        var percent = ""
        var percentLower = ""
        for scalar in secret.unicodeScalars {
            let plain =
                scalar.isASCII
                && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || "-._~".unicodeScalars.contains(scalar))
            switch scalar {
            case "\"", "\\":
                json += "\\" + String(scalar)
                jsonSlash += "\\" + String(scalar)
            case "/":
                json += "/"
                jsonSlash += "\\/"
            default:
                json.unicodeScalars.append(scalar)
                jsonSlash.unicodeScalars.append(scalar)
            }
            if plain || !scalar.isASCII {
                jsonUnicode.unicodeScalars.append(scalar)
            } else {
                jsonUnicode += "\\u00" + Self.hex(UInt8(scalar.value), uppercase: false)
            }
            if plain {
                percent.unicodeScalars.append(scalar)
                percentLower.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 {
                    percent += "%" + Self.hex(byte, uppercase: true)
                    percentLower += "%" + Self.hex(byte, uppercase: false)
                }
            }
        }
        forms += [json, jsonSlash, jsonUnicode, percent, percentLower]
        var seen: Set<String> = []
        return forms.filter { seen.insert($0).inserted }
    }

    private static func hex(_ byte: UInt8, uppercase: Bool) -> String {
        let digits = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").unicodeScalars)
        var text = ""
        text.unicodeScalars.append(digits[Int(byte >> 4)])
        text.unicodeScalars.append(digits[Int(byte & 15)])
        return text
    }

    /// Log-safe text of at most `limit` characters (plus `…` when cut).
    package func clean(_ text: String, limit: Int = 200) -> String {
        let collapsed = Self.collapsingControlsAndWhitespace(redacted(text))
        // Again after collapsing: a secret split by a control character is whole again now.
        let masked = redacted(Self.maskEmails(in: collapsed))
        guard masked.count > limit else { return masked }
        return String(masked.prefix(limit)) + "…"
    }

    /// A short excerpt of a response body of any size. Only a window of the body is decoded; a
    /// secret that the window's end cuts could leave its first characters behind, so as many
    /// characters as the longest secret has are dropped from the end of a cut window.
    package func excerpt(_ bytes: [UInt8], limit: Int = 120) -> String {
        let window = (limit + longestSecret) * 4
        guard bytes.count > window else { return clean(String(decoding: bytes, as: UTF8.self), limit: limit) }
        var text = redacted(String(decoding: bytes.prefix(window), as: UTF8.self))
        text.unicodeScalars.removeLast(min(longestSecret, text.unicodeScalars.count))
        return clean(text, limit: limit)
    }

    /// An address a peer named (`j***@example.com`), cleaned like any remote text.
    package func address(_ text: String) -> String {
        clean(maskPersonalData(redacted(text)), limit: 80)
    }

    /// `text` with every secret replaced by `<redacted>`. Matching is by Unicode scalars, not
    /// characters, so a combining mark after a secret cannot hide it.
    package func redacted(_ text: String) -> String {
        guard !secrets.isEmpty, holdsASecret(text) else { return text }
        var scalars = Array(text.unicodeScalars)
        var changed = false
        for secret in secrets where scalars.count >= secret.count {
            var result: [Unicode.Scalar] = []
            var index = 0
            while index < scalars.count {
                if scalars[index] == secret[0], index + secret.count <= scalars.count,
                    scalars[index..<(index + secret.count)].elementsEqual(secret)
                {
                    result.append(contentsOf: "<redacted>".unicodeScalars)
                    index += secret.count
                    changed = true
                } else {
                    result.append(scalars[index])
                    index += 1
                }
            }
            scalars = result
        }
        guard changed else { return text }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    /// Whether any secret's bytes occur in `text`'s UTF-8. UTF-8 is self-synchronising, so this
    /// finds exactly the scalar sequences `redacted` replaces; most texts hold none, and this
    /// look costs no allocation.
    private func holdsASecret(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { haystack in secretsInUTF8.contains { haystack.containsBytes($0) } }
    }

    /// Runs of whitespace (newlines and tabs among them) become one space, leading and trailing
    /// ones vanish, and other control characters (C0, DEL, C1, which include the escape that
    /// starts a terminal sequence) are dropped, so that one cannot split a secret in two.
    static func collapsingControlsAndWhitespace(_ text: String) -> String {
        if isCollapsedASCII(text) { return text }
        var collapsed = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.isWhitespaceQuickly {
                pendingSpace = !collapsed.isEmpty
                continue
            }
            if scalar.isControlCharacter { continue }
            if pendingSpace {
                collapsed.unicodeScalars.append(" ")
                pendingSpace = false
            }
            collapsed.unicodeScalars.append(scalar)
        }
        return collapsed
    }

    /// True when `text` is printable ASCII with single spaces between words: nothing to collapse
    /// or drop (most remote text).
    private static func isCollapsedASCII(_ text: String) -> Bool {
        var afterSpace = true
        for byte in text.utf8 {
            if byte == UInt8(ascii: " ") {
                if afterSpace { return false }
                afterSpace = true
            } else if byte > 0x20 && byte < 0x7F {
                afterSpace = false
            } else {
                return false
            }
        }
        return !afterSpace || text.isEmpty
    }

    /// Replaces every `local@domain` in `text` with its masked form (`j***@example.com`), and
    /// every `local%40domain` (an address percent-encoded in a URL a peer quotes) with
    /// `j***%40example.com`. The local part is every character RFC 5322 and RFC 6531 allow in one
    /// (`jane.doe=work`, a decomposed `José`), so none of it is left beside the mask.
    package static func maskEmails(in text: String) -> String {
        guard mayHoldAnAddress(text) else { return text }
        var scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            guard let separator = separatorLength(scalars, at: index) else {
                index += 1
                continue
            }
            let encoded = separator == 3
            var start = index
            while start > 0, isAddressScalar(scalars[start - 1], local: true, encoded: encoded) { start -= 1 }
            var end = index + separator
            while end < scalars.count, isAddressScalar(scalars[end], local: false, encoded: encoded) { end += 1 }
            guard start < index, end > index + separator else {
                index += 1
                continue
            }
            var local = ""
            local.unicodeScalars.append(contentsOf: scalars[start..<index])
            var replacement = local.first.map { Array(String($0).unicodeScalars) } ?? []
            replacement += "***".unicodeScalars
            replacement += scalars[index..<end]
            scalars.replaceSubrange(start..<end, with: replacement)
            index = start + replacement.count
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    /// 1 for an `@` at `index`, 3 for a `%40`, nil for anything else.
    private static func separatorLength(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        if scalars[index] == "@" { return 1 }
        if scalars[index] == "%", index + 2 < scalars.count, scalars[index + 1] == "4", scalars[index + 2] == "0" {
            return 3
        }
        return nil
    }

    /// False when no `@` or `%40` in `text` has a character of an address on both sides (most
    /// text, and an address masked already: `j***@example.com`), which `maskEmails` would leave as
    /// it is.
    private static func mayHoldAnAddress(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= 3 else { return false }
            for at in 1..<(bytes.count - 1) {
                let encoded: Bool
                if bytes[at] == UInt8(ascii: "@") {
                    encoded = false
                } else if bytes[at] == UInt8(ascii: "%"), at + 3 < bytes.count, bytes[at + 1] == UInt8(ascii: "4"),
                    bytes[at + 2] == UInt8(ascii: "0")
                {
                    encoded = true
                } else {
                    continue
                }
                let before = bytes[at - 1]
                let after = bytes[at + (encoded ? 3 : 1)]
                // A byte of a multi-byte scalar may be a letter: the whole look decides.
                func isLocal(_ byte: UInt8) -> Bool {
                    byte >= 0x80 || isAddressScalar(Unicode.Scalar(byte), local: true, encoded: encoded)
                }
                let localSide = isLocal(before)
                let domainSide = after >= 0x80 || isAddressScalar(Unicode.Scalar(after), local: false, encoded: encoded)
                guard localSide && domainSide else { continue }
                // Masked already (`j***@example.com`, as every address a plugin names is): its
                // local part, one ASCII character and `***`, would be masked to itself.
                let star = UInt8(ascii: "*")
                let masked =
                    at >= 4 && bytes[at - 1] == star && bytes[at - 2] == star && bytes[at - 3] == star
                    && bytes[at - 4] < 0x80 && isLocal(bytes[at - 4]) && bytes[at - 4] != star
                    && (at == 4 || !isLocal(bytes[at - 5]))
                if !masked { return true }
            }
            return false
        }
    }

    /// Whether `scalar` can be part of an address's local part (`local`) or domain. In an encoded
    /// address the URL's own delimiters (`=`, `?`, `&`, `/`, `#`) end it: the address's would be
    /// percent-encoded themselves.
    private static func isAddressScalar(_ scalar: Unicode.Scalar, local: Bool, encoded: Bool) -> Bool {
        guard scalar.isASCII else {
            // Letters, marks (a decomposed accent) and digits of any script.
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
                return true
            default:
                return false
            }
        }
        if scalar.isAlphabeticQuickly || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-" {
            return true
        }
        guard local else { return false }
        return (encoded ? "_+%'!*~" : "_+%'!#$&*/=?^`{|}~").unicodeScalars.contains(scalar)
    }
}

extension Unicode.Scalar {
    // ASCII answers without Unicode's property tables (a binary search per scalar, ~3 % of
    // herald's CPU per delivered Mandrill job in `perf`, most of it for ASCII text); the same
    // answers as `properties` for every scalar.
    package var isWhitespaceQuickly: Bool {
        value < 0x80 ? value == 0x20 || (0x09...0x0D).contains(value) : properties.isWhitespace
    }

    package var isAlphabeticQuickly: Bool {
        value < 0x80 ? (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) : properties.isAlphabetic
    }

    /// C0 controls, DEL and C1 controls: what a terminal may act on instead of showing.
    package var isControlCharacter: Bool {
        value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value)
    }
}

extension String {
    /// The text with control characters shown as escapes (`\u{1B}` for ESC) and everything else
    /// kept: for a terminal, where such a character would act instead of being shown.
    package var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.isControlCharacter) else { return self }
        var result = ""
        for scalar in unicodeScalars {
            if scalar.isControlCharacter {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
