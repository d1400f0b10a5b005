import HeraldCore

/// A YAML document as `herald kratos-config --merge` rewrites it: maps keep their key order,
/// scalars their text and whether they were plain, so the user's configuration comes back as
/// they wrote it but for comments (libyaml does not report them) and quoting style.
indirect enum YAMLTree: Equatable {
    case map([(key: String, value: YAMLTree)])
    case list([YAMLTree])
    /// Text, and true when it may be written plain (it was plain in the source, or is a safe word).
    case scalar(String, plain: Bool)

    static func == (lhs: YAMLTree, rhs: YAMLTree) -> Bool {
        switch (lhs, rhs) {
        case (.map(let a), .map(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.list(let a), .list(let b)): a == b
        case (.scalar(let a, let p), .scalar(let b, let q)): a == b && p == q
        default: false
        }
    }

    /// The tree of a loaded node; plain scalars stay plain, every other style is written quoted.
    init(_ node: ConfigNode) {
        switch node.content {
        case .scalar(let scalar): self = .scalar(scalar.text, plain: scalar.style == .plain)
        case .sequence(let items): self = .list(items.map(YAMLTree.init))
        case .mapping(let pairs):
            self = .map(pairs.map { (key: $0.key.scalar?.text ?? "", value: YAMLTree($0.value)) })
        }
    }

    /// A text value written plain when that reads back as the same text, quoted otherwise.
    static func text(_ text: String) -> YAMLTree { .scalar(text, plain: isSafePlain(text)) }

    subscript(key: String) -> YAMLTree? {
        get {
            guard case .map(let pairs) = self else { return nil }
            return pairs.first { $0.key == key }?.value
        }
        set {
            guard case .map(var pairs) = self else { return }
            if let index = pairs.firstIndex(where: { $0.key == key }) {
                if let newValue { pairs[index].value = newValue } else { pairs.remove(at: index) }
            } else if let newValue {
                pairs.append((key, newValue))
            }
            self = .map(pairs)
        }
    }

    /// The value at `path`, nil when any step is missing.
    func value(at path: [String]) -> YAMLTree? {
        path.reduce(Optional(self)) { $0?[$1] }
    }

    /// Sets the value at `path`, making maps where steps are missing (or not maps).
    mutating func set(_ value: YAMLTree, at path: [String]) {
        guard let first = path.first else {
            self = value
            return
        }
        if case .map = self {} else { self = .map([]) }
        var child = self[first] ?? .map([])
        if path.count > 1, case .map = child {} else if path.count > 1 { child = .map([]) }
        child.set(value, at: Array(path.dropFirst()))
        self[first] = child
    }

    /// Block-style YAML text.
    var text: String {
        var out = ""
        write(into: &out, indent: 0, afterDash: false)
        return out
    }

    private func write(into out: inout String, indent: Int, afterDash: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .scalar:
            out += inline + "\n"
        case .map(let pairs) where pairs.isEmpty:
            out += inline + "\n"
        case .list(let items) where items.isEmpty:
            out += inline + "\n"
        case .map(let pairs):
            for (index, pair) in pairs.enumerated() {
                // The first key of a map that is a list item shares the dash's line.
                out += (afterDash && index == 0 ? "" : pad) + Self.key(pair.key) + ":"
                switch pair.value {
                case .map(let inner) where !inner.isEmpty:
                    out += "\n"
                    pair.value.write(into: &out, indent: indent + 2, afterDash: false)
                case .list(let items) where !items.isEmpty:
                    out += "\n"
                    pair.value.write(into: &out, indent: indent + 2, afterDash: false)
                default:
                    out += " " + pair.value.inline + "\n"
                }
            }
        case .list(let items):
            for item in items {
                out += pad + "- "
                switch item {
                case .map(let inner) where !inner.isEmpty: item.write(into: &out, indent: indent + 2, afterDash: true)
                case .list(let inner) where !inner.isEmpty:
                    out += "\n"
                    item.write(into: &out, indent: indent + 2, afterDash: false)
                default: out += item.inline + "\n"
                }
            }
        }
    }

    /// A scalar, or an empty collection, on one line.
    private var inline: String {
        switch self {
        case .scalar(let text, let plain):
            plain && Self.isSafePlain(text) || plain && text.isEmpty ? text : YAMLText.quoted(text)
        case .map: "{}"
        case .list: "[]"
        }
    }

    private static func key(_ text: String) -> String { isSafePlain(text) ? text : YAMLText.quoted(text) }

    /// Text that reads back as itself when written plain in block context: no indicator at the
    /// start, no `: ` or ` #` inside, no surrounding spaces, nothing a resolver would turn into
    /// another type is at stake here since plain source text is kept plain anyway.
    static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first)
            && !(first == "-" && text.count > 1 && text.dropFirst().first != " ")
        {
            return false
        }
        if first == " " || last == " " || last == ":" { return false }
        if text.contains(": ") || text.contains(" #") || text.contains("\t") { return false }
        return !text.unicodeScalars.contains { $0.isControlCharacter }
    }
}
