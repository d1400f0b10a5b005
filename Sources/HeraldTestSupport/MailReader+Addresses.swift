import Foundation

/// Address lists (RFC 5322 §3.4) and display names with RFC 2047 encoded words.
extension MailReader {
    private enum Token: Equatable {
        case atom(String)
        case quoted(String)
        case angle(String)
        case comma
        case at
        case dot
    }

    /// The mailboxes of an address list (RFC 5322 §3.4; groups are not supported).
    ///
    /// - Throws: for anything that is not a list of mailboxes.
    package static func mailboxes(_ value: String) throws(Failure) -> [Mailbox] {
        let tokens = try tokenize(value)
        var mailboxes: [Mailbox] = []
        var current: [(token: Token, spaceBefore: Bool)] = []
        func finish() throws(Failure) {
            guard !current.isEmpty else { throw Failure("an empty mailbox in \(value.debugDescription)") }
            mailboxes.append(try mailbox(current.map(\.token), in: value))
            current = []
        }
        for item in tokens {
            if item.token == .comma {
                try finish()
            } else {
                current.append(item)
            }
        }
        try finish()
        return mailboxes
    }

    private static func mailbox(_ tokens: [Token], in value: String) throws(Failure) -> Mailbox {
        if let angleIndex = tokens.firstIndex(where: { if case .angle = $0 { true } else { false } }) {
            guard angleIndex == tokens.count - 1, case .angle(let address) = tokens[angleIndex] else {
                throw Failure("text after an angle address in \(value.debugDescription)")
            }
            let phrase = Array(tokens[..<angleIndex])
            return Mailbox(name: phrase.isEmpty ? nil : try decodePhrase(phrase, in: value), address: address)
        }
        // A bare addr-spec: atoms, dots and one @, no quoted parts (Herald never writes them).
        var address = ""
        for token in tokens {
            switch token {
            case .atom(let text): address += text
            case .at: address += "@"
            case .dot: address += "."
            default: throw Failure("a mailbox that is neither name <address> nor an address: \(value.debugDescription)")
            }
        }
        guard address.split(separator: "@", omittingEmptySubsequences: false).count == 2 else {
            throw Failure("an address without exactly one @ in \(value.debugDescription)")
        }
        return Mailbox(name: nil, address: address)
    }

    /// The words of a display name: quoted strings as their content, encoded words decoded (joined
    /// without the space between two of them), other words as they are, joined by one space.
    private static func decodePhrase(_ tokens: [Token], in value: String) throws(Failure) -> String {
        var result = ""
        var previousWasEncoded = false
        for (index, token) in tokens.enumerated() {
            let word: String
            var isEncoded = false
            switch token {
            case .quoted(let text): word = text
            case .atom(let text):
                if let decoded = decodeEncodedWord(text) {
                    word = decoded
                    isEncoded = true
                } else if text.hasPrefix("=?") && text.hasSuffix("?=") {
                    throw Failure("an encoded word that does not decode: \(text)")
                } else {
                    word = text
                }
            case .dot: word = "."
            default: throw Failure("a display name holding \(token) in \(value.debugDescription)")
            }
            if index > 0 && !(isEncoded && previousWasEncoded) { result += " " }
            result += word
            previousWasEncoded = isEncoded
        }
        return result
    }

    private static func tokenize(_ value: String) throws(Failure) -> [(token: Token, spaceBefore: Bool)] {
        let scalars = Array(value.unicodeScalars)
        var tokens: [(token: Token, spaceBefore: Bool)] = []
        var index = 0
        var space = false
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t", "\r", "\n":
                space = true
                index += 1
                continue
            case "(":
                var depth = 0
                repeat {
                    switch scalars[index] {
                    case "\\": index += 1
                    case "(": depth += 1
                    case ")": depth -= 1
                    default: break
                    }
                    index += 1
                } while index < scalars.count && depth > 0
                guard depth == 0 else { throw Failure("an unclosed comment in \(value.debugDescription)") }
                space = true
                continue
            case "\"":
                var text = ""
                index += 1
                var closed = false
                while index < scalars.count {
                    if scalars[index] == "\\", index + 1 < scalars.count {
                        text.unicodeScalars.append(scalars[index + 1])
                        index += 2
                    } else if scalars[index] == "\"" {
                        closed = true
                        index += 1
                        break
                    } else {
                        // Folding inside a quoted string: the CRLF goes, the space stays.
                        if scalars[index] != "\r" && scalars[index] != "\n" {
                            text.unicodeScalars.append(scalars[index])
                        }
                        index += 1
                    }
                }
                guard closed else { throw Failure("an unclosed quoted string in \(value.debugDescription)") }
                tokens.append((.quoted(text), space))
            case "<":
                guard let close = scalars[index...].firstIndex(of: ">") else {
                    throw Failure("an unclosed angle address in \(value.debugDescription)")
                }
                var address = ""
                address.unicodeScalars.append(contentsOf: scalars[(index + 1)..<close])
                guard !address.isEmpty, !address.contains(where: { " <\",;()\\".contains($0) }) else {
                    throw Failure("an angle address that is not plain: \(address.debugDescription)")
                }
                tokens.append((.angle(address), space))
                index = close + 1
            case ",": tokens.append((.comma, space)); index += 1
            case "@": tokens.append((.at, space)); index += 1
            case ".": tokens.append((.dot, space)); index += 1
            case ":", ";", ">", "[", "]", "\\":
                throw Failure("'\(scalar)' outside a quoted string in \(value.debugDescription)")
            default:
                var text = ""
                while index < scalars.count, !" \t\r\n()<>[]:;@\\,\".".unicodeScalars.contains(scalars[index]) {
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                // An encoded word may hold a dot (a Q-encoded one); keep it in one token.
                while text.hasPrefix("=?"), !text.hasSuffix("?="), index < scalars.count, scalars[index] == "." {
                    text += "."
                    index += 1
                    while index < scalars.count, !" \t\r\n()<>[]:;@\\,\"".unicodeScalars.contains(scalars[index]) {
                        text.unicodeScalars.append(scalars[index])
                        index += 1
                    }
                }
                tokens.append((.atom(text), space))
            }
            space = false
        }
        return tokens
    }
}
