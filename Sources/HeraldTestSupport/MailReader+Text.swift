import Foundation

/// Encoded words (RFC 2047) and unstructured text.
extension MailReader {
    /// `=?charset?B|Q?text?=` decoded when the charset is UTF-8 or US-ASCII, nil otherwise.
    package static func decodeEncodedWord(_ word: String) -> String? {
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
    package static func decodeUnstructured(_ value: String) -> String {
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
}
