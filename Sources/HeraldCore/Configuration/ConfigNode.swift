/// One node of a configuration document, with the position it came from.
///
/// The YAML loader in HeraldConfig builds these from libyaml events; everything else (the config
/// schema, plugins validating their options) reads them. Scalars keep their source text and
/// style so that resolution follows the YAML 1.2 core schema: only `true`/`false` are booleans,
/// and a quoted scalar is always a string.
package struct ConfigNode: Sendable {
    /// How a scalar was written.
    package enum ScalarStyle: Sendable, Hashable {
        case plain
        case singleQuoted
        case doubleQuoted
        case literal
        case folded
    }

    /// A scalar's text and how it was written.
    package struct Scalar: Sendable, Hashable {
        package var text: String
        package var style: ScalarStyle
        /// True when the text came (wholly or partly) from a `${env:}`, `${file:}` or
        /// `${credential:}` reference. Such values are never printed.
        package var isSecret: Bool

        package init(text: String, style: ScalarStyle = .plain, isSecret: Bool = false) {
            self.text = text
            self.style = style
            self.isSecret = isSecret
        }

        /// What a secret reference stands for when it is not read (`herald check --no-secrets`,
        /// the store commands): long enough for every length rule on keys and passwords, and made
        /// of characters any header value may hold.
        package static let unreadSecret = "herald-placeholder-for-an-unread-secret"

        /// True when the text came from a reference that was not read: a plugin that checks the
        /// form of a secret (a `whsec_` prefix) cannot check this one, and must not refuse it.
        package var holdsUnreadSecret: Bool { isSecret && text.contains(Self.unreadSecret) }
    }

    /// A key-value pair of a mapping, in document order.
    package struct Pair: Sendable {
        package var key: ConfigNode
        package var value: ConfigNode

        package init(key: ConfigNode, value: ConfigNode) {
            self.key = key
            self.value = value
        }
    }

    package enum Content: Sendable {
        case scalar(Scalar)
        case sequence([ConfigNode])
        case mapping([Pair])
    }

    package var content: Content
    package var location: SourceLocation

    package init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }

    /// A plain scalar node; convenient in tests and for built-in values.
    package static func scalar(_ text: String, at location: SourceLocation) -> ConfigNode {
        ConfigNode(.scalar(Scalar(text: text)), at: location)
    }
}

extension ConfigNode {
    /// What this node is, for error messages: "a string", "a list", "a map", "null", ….
    package var kindDescription: String {
        switch content {
        case .sequence: return "a list"
        case .mapping: return "a map"
        case .scalar(let scalar):
            switch resolvedScalar(scalar) {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float: return "a number"
            case .string: return "a string"
            }
        }
    }

    /// The scalar, if this node is one.
    package var scalar: Scalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The items, if this node is a sequence.
    package var sequence: [ConfigNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The pairs, if this node is a mapping.
    package var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value of a scalar under the YAML 1.2 core schema.
    package var resolved: ResolvedScalar? {
        scalar.map(resolvedScalar)
    }

    /// True for `null`, `~`, an empty plain scalar.
    package var isNull: Bool {
        if case .null = resolved { return true }
        return false
    }

    /// A short, safe rendering of the node's value for messages: secrets become `<secret>`,
    /// long text is cut.
    package var displayValue: String {
        switch content {
        case .sequence(let items): return "[…\(items.count) items]"
        case .mapping(let pairs): return "{…\(pairs.count) keys}"
        case .scalar(let scalar):
            if scalar.isSecret { return "<secret>" }
            let text = scalar.text.count > 60 ? String(scalar.text.prefix(57)) + "..." : scalar.text
            return scalar.style == .plain ? text : "\"\(text)\""
        }
    }
}

/// A scalar resolved under the YAML 1.2 core schema.
package enum ResolvedScalar: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
}

/// Resolution per the YAML 1.2 core schema (tag resolution of plain scalars); quoted and block
/// scalars are strings.
func resolvedScalar(_ scalar: ConfigNode.Scalar) -> ResolvedScalar {
    guard scalar.style == .plain, !scalar.isSecret else { return .string(scalar.text) }
    let text = scalar.text
    switch text {
    case "", "~", "null", "Null", "NULL": return .null
    case "true", "True", "TRUE": return .bool(true)
    case "false", "False", "FALSE": return .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
    case ".nan", ".NaN", ".NAN": return .float(.nan)
    default: break
    }
    if let value = coreSchemaInt(text) { return .int(value) }
    if isCoreSchemaFloat(text), let value = Double(text) { return .float(value) }
    return .string(text)
}

private func coreSchemaInt(_ text: String) -> Int? {
    if text.hasPrefix("0o"), text.count > 2 { return Int(text.dropFirst(2), radix: 8) }
    if text.hasPrefix("0x"), text.count > 2 { return Int(text.dropFirst(2), radix: 16) }
    var digits = Substring(text)
    if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int(text)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
private func isCoreSchemaFloat(_ text: String) -> Bool {
    var bytes = Array(text.utf8)[...]
    func digits() -> Int {
        var count = 0
        while let byte = bytes.first, byte >= 0x30, byte <= 0x39 {
            bytes = bytes.dropFirst()
            count += 1
        }
        return count
    }
    if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
    if bytes.first == UInt8(ascii: ".") {
        bytes = bytes.dropFirst()
        guard digits() > 0 else { return false }
    } else {
        guard digits() > 0 else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            _ = digits()
        }
    }
    if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
        bytes = bytes.dropFirst()
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        guard digits() > 0 else { return false }
    }
    return bytes.isEmpty
}
