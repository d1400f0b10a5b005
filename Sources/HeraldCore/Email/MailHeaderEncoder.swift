import FoundationEssentials

/// Writes header fields so that a reader parses back exactly what Herald meant (RFC 5322, RFC 2047):
/// a display name is an atom sequence, a quoted string or encoded words, never text that could
/// add a mailbox; text that is not plain printable ASCII is encoded; every field is folded at a
/// space so that its lines stay within 78 characters (an address longer than a line cannot be
/// folded, and stays well under the 998-octet limit: `EmailAddress.maxPlainAddressLength`).
///
/// A value is built from tokens, which folding never cuts: it joins them with single spaces and
/// puts a line break before a space wherever the next token would pass the line's length.
enum MailHeaderEncoder {
    /// RFC 5322 §2.1.1: lines should not be longer than this (CRLF excluded).
    static let preferredLineLength = 78
    /// The longest token written as it is (an atom, a quoted string); longer text is encoded, so
    /// that `To: ` or `Subject: ` and one token still fit a line.
    static let maxPlainToken = 68
    /// UTF-8 bytes in one encoded word: 42 bytes are 56 base64 characters, a 68-character word
    /// (RFC 2047 allows 75).
    static let bytesPerEncodedWord = 42

    /// `Name: token token…`, folded, without the final CRLF. A field without tokens is `Name:`.
    static func field(_ name: String, _ tokens: [String]) -> String {
        var output = name + ":"
        var lineLength = output.utf8.count
        var tokensOnLine = 0
        for token in tokens {
            let length = token.utf8.count
            if tokensOnLine > 0, lineLength + 1 + length > preferredLineLength {
                output += "\r\n "
                lineLength = 1
            } else {
                output += " "
                lineLength += 1
            }
            output += token
            lineLength += length
            tokensOnLine += 1
        }
        return output
    }

    /// A mailbox: the bare address without a name, else the name's tokens and `<address>`. The
    /// address must be a plain address (`EmailAddress.isPlainAddress`).
    static func mailbox(_ address: EmailAddress) -> [String] {
        guard let name = address.name, !name.isEmpty else { return [address.email] }
        return phrase(name) + ["<\(address.email)>"]
    }

    /// Mailboxes separated by commas.
    static func mailboxList(_ addresses: [EmailAddress]) -> [String] {
        var tokens: [String] = []
        for (index, address) in addresses.enumerated() {
            var mailbox = self.mailbox(address)
            if index < addresses.count - 1 { mailbox[mailbox.count - 1] += "," }
            tokens += mailbox
        }
        return tokens
    }

    /// A display name (RFC 5322 `phrase`): its words as they are when each is an atom; one quoted
    /// string when it is other printable ASCII; encoded words otherwise (non-ASCII, controls,
    /// spaces at the ends or in a row, `=?`, or too long for a line).
    static func phrase(_ text: String) -> [String] {
        if let words = plainWords(text) {
            if words.allSatisfy({ $0.utf8.allSatisfy(EmailAddress.isAtomText) }) { return words }
            var quoted = "\""
            for scalar in text.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { quoted += "\\" }
                quoted.unicodeScalars.append(scalar)
            }
            quoted += "\""
            if quoted.utf8.count <= maxPlainToken { return [quoted] }
        }
        return encodedWords(text)
    }

    /// Unstructured text (a subject): its words as they are when the text is plain; encoded words
    /// otherwise.
    static func unstructured(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        return plainWords(text) ?? encodedWords(text)
    }

    /// The words of `text` when folding and unfolding gives it back exactly and no reader could take
    /// it for anything else: printable ASCII, single spaces between words and none at the ends, no
    /// `=?` (which a reader would decode), every word short enough for a line.
    private static func plainWords(_ text: String) -> [String]? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x20...0x7E).contains($0) }), !text.contains("=?") else {
            return nil
        }
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.allSatisfy({ !$0.isEmpty && $0.utf8.count <= maxPlainToken }) else { return nil }
        return words.map(String.init)
    }

    /// `=?UTF-8?B?…?=` words, each at most `bytesPerEncodedWord` bytes of UTF-8 cut between
    /// characters (RFC 2047 §5: each word decodes on its own). A reader joins adjacent encoded
    /// words without the space between them (§6.2), so the text comes back exactly.
    ///
    /// A word ends after a space of the text where one is near its end: a reader that wrongly keeps
    /// the space between encoded words in a display name (Python's `email` before gh-128110) then
    /// doubles a space instead of splitting a word in two.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        var afterLastSpace = -1
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > bytesPerEncodedWord {
                let cut = afterLastSpace > bytesPerEncodedWord / 2 ? afterLastSpace : chunk.count
                words.append(encodedWord(Array(chunk[..<cut])))
                chunk.removeFirst(cut)
                afterLastSpace = -1
            }
            chunk += bytes
            if scalar == " " { afterLastSpace = chunk.count }
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?\(Data(bytes).base64EncodedString())?="
    }
}
