import HeraldCore

/// Builds `ConfigNode`s with positions from a small YAML subset, so that plugin tests can pin the
/// line and column of each error the way HeraldConfig's `YAMLLoader` reports them (libyaml marks:
/// a mapping starts at its first key, a block sequence at its first `-`, a quoted scalar at its
/// quote, a flow collection at its bracket).
///
/// PluginTests does not depend on HeraldConfig, hence this stand-in. Supported: block mappings and
/// sequences (also `- key: value` items), flow `{…}` and `[…]` on one line, plain, single- and
/// double-quoted scalars, `|` literal blocks, `#` comments, and `${env:NAME}` taken from `env`
/// and marked secret as the real loader does.
struct TestYAML {
    private struct Line {
        var number: Int
        var indent: Int
        var text: String
    }

    private var lines: [Line]
    private var position = 0
    private let file: String
    private let env: [String: String]

    static func parse(_ text: String, file: String = "herald.yaml", env: [String: String] = [:]) -> ConfigNode {
        var parser = TestYAML(text: text, file: file, env: env)
        guard let first = parser.lines.first else {
            return .scalar("", at: SourceLocation(file: file, line: 1, column: 1))
        }
        return parser.block(indent: first.indent)
    }

    private init(text: String, file: String, env: [String: String]) {
        self.file = file
        self.env = env
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, raw in
            let content = Self.withoutComment(String(raw))
            let indent = content.prefix { $0 == " " }.count
            let text = String(content.dropFirst(indent))
            return text.isEmpty ? nil : Line(number: index + 1, indent: indent, text: text)
        }
    }

    private static func withoutComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, character) in line.enumerated() {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" && previous == " " {
                return String(line.prefix(offset)).replacingTrailingSpaces()
            }
            previous = character
        }
        return line.replacingTrailingSpaces()
    }

    private func location(_ line: Line, offset: Int = 0) -> SourceLocation {
        SourceLocation(file: file, line: line.number, column: line.indent + offset + 1)
    }

    private mutating func block(indent: Int) -> ConfigNode {
        let line = lines[position]
        return line.text == "-" || line.text.hasPrefix("- ") ? sequence(indent: indent) : mapping(indent: indent)
    }

    private mutating func sequence(indent: Int) -> ConfigNode {
        let start = location(lines[position])
        var items: [ConfigNode] = []
        while position < lines.count, lines[position].indent == indent,
            lines[position].text == "-" || lines[position].text.hasPrefix("- ")
        {
            let line = lines[position]
            let rest = String(line.text.dropFirst(1))
            let gap = rest.prefix { $0 == " " }.count
            if rest.isEmpty {
                position += 1
                items.append(
                    position < lines.count && lines[position].indent > indent
                        ? block(indent: lines[position].indent) : .scalar("", at: start))
            } else {
                // The item's content becomes a line of its own, indented to where it starts.
                lines[position] = Line(number: line.number, indent: indent + 1 + gap, text: String(rest.dropFirst(gap)))
                items.append(block(indent: indent + 1 + gap))
            }
        }
        return ConfigNode(.sequence(items), at: start)
    }

    private mutating func mapping(indent: Int) -> ConfigNode {
        let start = location(lines[position])
        var pairs: [ConfigNode.Pair] = []
        while position < lines.count, lines[position].indent == indent, !lines[position].text.hasPrefix("- ") {
            let line = lines[position]
            var scanner = FlowScanner(text: Array(line.text), offset: 0)
            let key = scanner.scalar(
                stoppingAtColon: true, flow: false, at: { self.location(line, offset: $0) }, env: env)
            scanner.skipSpaces()
            scanner.expect(":")
            scanner.skipSpaces()
            position += 1
            let value: ConfigNode
            if scanner.atEnd {
                if position < lines.count,
                    lines[position].indent > indent
                        || lines[position].indent == indent && lines[position].text.hasPrefix("- ")
                {
                    value = block(indent: lines[position].indent)
                } else {
                    value = .scalar("", at: location(line, offset: scanner.offset))
                }
            } else if scanner.peek == "|" {
                value = literal(after: line, offset: scanner.offset, indent: indent)
            } else {
                value = scanner.value(at: { self.location(line, offset: $0) }, env: env)
            }
            pairs.append(ConfigNode.Pair(key: key, value: value))
        }
        return ConfigNode(.mapping(pairs), at: start)
    }

    private mutating func literal(after line: Line, offset: Int, indent: Int) -> ConfigNode {
        var body: [Line] = []
        while position < lines.count, lines[position].indent > indent {
            body.append(lines[position])
            position += 1
        }
        let minimum = body.map(\.indent).min() ?? 0
        let text = body.map { String(repeating: " ", count: $0.indent - minimum) + $0.text + "\n" }.joined()
        return ConfigNode(.scalar(.init(text: text, style: .literal)), at: location(line, offset: offset))
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
