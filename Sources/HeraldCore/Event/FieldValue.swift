/// What a path lookup finds: a part of the payload, or a text Herald derived.
package enum FieldValue: Sendable {
    case json(JSONValue)
    case text(String)

    /// The value as text for templates and text comparisons: strings as they are, numbers as
    /// written, booleans as `true`/`false`, null as empty; arrays and objects as compact JSON.
    package var text: String {
        switch self {
        case .text(let text): return text
        case .json(let value):
            switch value.kind {
            case .string: return value.string ?? ""
            case .null: return ""
            case .bool: return value.bool == true ? "true" : "false"
            case .number: return value.numberLiteral.map { String($0) } ?? ""
            case .array, .object:
                var writer = JSONWriter()
                value.write(to: &writer)
                return String(decoding: writer.bytes, as: UTF8.self)
            }
        }
    }

    /// The value as JSON text (strings quoted), for the `json` filter.
    package var jsonText: String {
        var writer = JSONWriter()
        switch self {
        case .text(let text): writer.writeString(text)
        case .json(let value): value.write(to: &writer)
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Mustache truthiness for sections: false, null, empty text, empty lists and empty objects
    /// are false; everything else (including 0) is true.
    package var isTruthy: Bool {
        switch self {
        case .text(let text): return !text.isEmpty
        case .json(let value):
            switch value.kind {
            case .null: return false
            case .bool: return value.bool == true
            case .string: return !(value.string ?? "").isEmpty
            case .array, .object: return value.count > 0
            case .number: return true
            }
        }
    }

    /// True when the value is JSON null (a derived text is never null).
    package var isNull: Bool {
        if case .json(let value) = self { return value.isNull }
        return false
    }

    /// The number, when the value is a JSON number or a text that reads as one.
    package var number: Double? {
        switch self {
        case .text(let text): return Double(text)
        case .json(let value):
            if value.kind == .number { return value.number }
            if value.kind == .string, let text = value.string { return Double(text) }
            return nil
        }
    }

    /// A short description of the value for `herald explain`: JSON text, cut when long.
    package var preview: String {
        let text: String
        switch self {
        case .text(let value): text = quote(value)
        case .json: text = jsonText
        }
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }
}

private func quote(_ text: String) -> String {
    var writer = JSONWriter()
    writer.writeString(text)
    return String(decoding: writer.bytes, as: UTF8.self)
}
