/// Turns template text into nodes. Errors carry the byte offset of the problem so the compiler
/// can point at it.
struct TemplateParser {
    struct SyntaxError: Error {
        let offset: Int
        let message: String
    }

    static let maximumSectionDepth = 16

    private let bytes: [UInt8]
    private var position = 0
    /// How many sections enclose the tag being parsed; paths inside sections may be relative to
    /// the section's item, so only top-level paths are reported for checking.
    private var depth = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Parses the whole text; `paths` receives each path outside sections (and each section's own
    /// path at the top level) with the offset of its tag, for checks.
    mutating func parse(paths: inout [(PayloadPath, Int)]) throws(SyntaxError) -> [Template.Node] {
        var stack:
            [(reference: Template.Reference, name: String, inverted: Bool, offset: Int, nodes: [Template.Node])] = []
        var current: [Template.Node] = []
        var textStart = 0
        while let open = find("{{", from: position) {
            if open > textStart { current.append(.text(text(textStart..<open))) }
            let tagStart = open
            let isRaw = open + 2 < bytes.count && bytes[open + 2] == UInt8(ascii: "{")
            let contentStart = open + (isRaw ? 3 : 2)
            let closing = isRaw ? "}}}" : "}}"
            guard let close = find(closing, from: contentStart) else {
                throw SyntaxError(
                    offset: tagStart, message: "'\(isRaw ? "{{{" : "{{")' is not closed with '\(closing)'")
            }
            position = close + closing.utf8.count
            textStart = position
            let content = text(contentStart..<close).trimmingSpaces()
            if isRaw {
                let (reference, filters) = try parseExpression(content, offset: contentStart, paths: &paths)
                current.append(.value(reference, filters: filters, raw: true))
                continue
            }
            switch content.first {
            case "!":
                continue
            case "#", "^":
                let name = String(content.dropFirst()).trimmingSpaces()
                let reference = try parseReference(name, offset: contentStart + 1, paths: &paths)
                guard stack.count < TemplateParser.maximumSectionDepth else {
                    throw SyntaxError(
                        offset: tagStart,
                        message: "sections nested more than \(TemplateParser.maximumSectionDepth) deep")
                }
                stack.append((reference, name, content.first == "^", tagStart, current))
                depth = stack.count
                current = []
            case "/":
                let name = String(content.dropFirst()).trimmingSpaces()
                guard let open = stack.popLast() else {
                    throw SyntaxError(
                        offset: tagStart, message: "'{{/\(name)}}' closes a section that was never opened")
                }
                guard open.name == name else {
                    throw SyntaxError(
                        offset: tagStart, message: "'{{/\(name)}}' does not match the open section '{{#\(open.name)}}'")
                }
                depth = stack.count
                let section = Template.Node.section(open.reference, inverted: open.inverted, body: current)
                current = open.nodes
                current.append(section)
            default:
                let (reference, filters) = try parseExpression(content, offset: contentStart, paths: &paths)
                current.append(.value(reference, filters: filters, raw: false))
            }
        }
        if textStart < bytes.count { current.append(.text(text(textStart..<bytes.count))) }
        if let open = stack.last {
            throw SyntaxError(
                offset: open.offset, message: "section '{{#\(open.name)}}' is never closed with '{{/\(open.name)}}'")
        }
        return current
    }

    private func parseExpression(
        _ content: String, offset: Int, paths: inout [(PayloadPath, Int)]
    ) throws(SyntaxError) -> (Template.Reference, [Template.Filter]) {
        let parts = splitOutsideQuotes(content, separator: "|")
        let reference = try parseReference(parts[0].trimmingSpaces(), offset: offset, paths: &paths)
        var filters: [Template.Filter] = []
        for part in parts.dropFirst() {
            filters.append(try parseFilter(part.trimmingSpaces(), offset: offset))
        }
        return (reference, filters)
    }

    private func parseReference(
        _ name: String, offset: Int, paths: inout [(PayloadPath, Int)]
    ) throws(SyntaxError) -> Template.Reference {
        if name == "." { return .current }
        guard !name.isEmpty else {
            throw SyntaxError(offset: offset, message: "empty tag: expected a path such as {{identity.traits.email}}")
        }
        do {
            let path = try PayloadPath(parsing: name)
            if depth == 0 { paths.append((path, offset)) }
            return .path(path)
        } catch {
            throw SyntaxError(offset: offset, message: "bad path: \(error.description)")
        }
    }

    private func parseFilter(_ text: String, offset: Int) throws(SyntaxError) -> Template.Filter {
        switch text {
        case "lower": return .lower
        case "upper": return .upper
        case "trim": return .trim
        case "urlencode": return .urlencode
        case "json": return .json
        case "language": return .language
        default: break
        }
        if text.hasPrefix("default") {
            let argument = text.dropFirst("default".count).trimmingSpaces()
            guard argument.hasPrefix(":") else {
                throw SyntaxError(offset: offset, message: "'default' needs a value: default: 'text'")
            }
            let literal = argument.dropFirst().trimmingSpaces()
            guard literal.count >= 2, let quote = literal.first, quote == "'" || quote == "\"", literal.last == quote
            else {
                throw SyntaxError(offset: offset, message: "the value of 'default' must be quoted: default: 'text'")
            }
            return .default(String(literal.dropFirst().dropLast()))
        }
        let known = "lower, upper, trim, urlencode, json, language, default: '…'"
        throw SyntaxError(offset: offset, message: "unknown filter '\(text)' (known: \(known))")
    }

    private func find(_ needle: String, from start: Int) -> Int? {
        let pattern = Array(needle.utf8)
        guard start <= bytes.count - pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], bytes[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

/// Splits at `separator` (ASCII) except inside single or double quotes.
private func splitOutsideQuotes(_ text: String, separator: Character) -> [String] {
    guard let separator = separator.asciiValue, text.utf8.contains(separator) else { return [text] }
    var parts: [String] = []
    var start = text.utf8.startIndex
    var quote: UInt8?
    for index in text.utf8.indices {
        let byte = text.utf8[index]
        if let open = quote {
            if byte == open { quote = nil }
        } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
            quote = byte
        } else if byte == separator {
            parts.append(String(text[start..<index]))
            start = text.utf8.index(after: index)
        }
    }
    parts.append(String(text[start...]))
    return parts
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs, CR and LF.
    package func trimmingSpaces() -> String {
        String(self).trimmingSpaces()
    }
}

extension String {
    /// Without leading and trailing spaces, tabs, CR and LF. Text that has none is returned as it
    /// is (this runs for every rendered address).
    package func trimmingSpaces() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = utf8
        guard let first = bytes.first, let last = bytes.last else { return "" }
        if !isSpace(first) && !isSpace(last) { return self }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let end = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[start...end])
    }
}
