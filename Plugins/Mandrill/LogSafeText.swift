import HeraldCore

/// Makes text from a peer safe for reasons and logs: no control characters, no runs of
/// whitespace, email addresses masked, the API key redacted, and a bounded length.
enum LogSafeText {
    /// A short excerpt of a response body.
    static func excerpt(_ bytes: [UInt8], limit: Int = 120, secret: String = "") -> String {
        clean(String(decoding: bytes.prefix(limit * 4), as: UTF8.self), limit: limit, secret: secret)
    }

    static func clean(_ text: String, limit: Int = 200, secret: String = "") -> String {
        var text = text
        if secret.count >= 4 { text = text.replacingAll(secret, with: "<redacted>") }
        var collapsed = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
                || (0x80...0x9F).contains(scalar.value)
            {
                pendingSpace = !collapsed.isEmpty
                continue
            }
            if pendingSpace {
                collapsed.unicodeScalars.append(" ")
                pendingSpace = false
            }
            collapsed.unicodeScalars.append(scalar)
        }
        let masked = maskEmails(in: collapsed)
        guard masked.count > limit else { return masked }
        return String(masked.prefix(limit)) + "…"
    }

    /// Replaces every `local@domain` in `text` with its masked form (`j***@example.com`).
    static func maskEmails(in text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "@" else {
                index += 1
                continue
            }
            var start = index
            while start > 0, isAddressScalar(scalars[start - 1], local: true) { start -= 1 }
            var end = index + 1
            while end < scalars.count, isAddressScalar(scalars[end], local: false) { end += 1 }
            guard start < index, end > index + 1 else {
                index += 1
                continue
            }
            var address = ""
            address.unicodeScalars.append(contentsOf: scalars[start..<end])
            let replacement = Array(maskPersonalData(address).unicodeScalars)
            scalars.replaceSubrange(start..<end, with: replacement)
            index = start + replacement.count
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    private static func isAddressScalar(_ scalar: Unicode.Scalar, local: Bool) -> Bool {
        if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-" {
            return true
        }
        return local && (scalar == "_" || scalar == "+" || scalar == "%" || scalar == "'")
    }
}

extension String {
    /// Every occurrence of `target` replaced (without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
