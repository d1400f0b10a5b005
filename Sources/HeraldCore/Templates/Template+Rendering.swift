extension Template {
    /// Renders the template for `event`. Missing paths render their `default:` (or nothing) and
    /// are recorded in `report` when they had no default.
    package func render(_ event: Event, report: inout RenderReport) -> String {
        var output = ""
        var scope: [FieldValue] = []
        render(nodes, event: event, scope: &scope, into: &output, report: &report)
        return sink == .header ? headerSafe(output) : output
    }

    private func render(
        _ nodes: [Node], event: Event, scope: inout [FieldValue], into output: inout String, report: inout RenderReport
    ) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .value(let reference, let filters, let raw):
                var value = resolve(reference, event: event, scope: scope)
                let hasDefault = filters.contains { if case .default = $0 { return true } else { return false } }
                if value == nil, !hasDefault, case .path(let path) = reference {
                    report.noteMissing(path.text)
                }
                var text = value?.text ?? ""
                for filter in filters {
                    text = apply(filter, to: text, value: &value)
                }
                output += (sink == .html && !raw) ? escapeHTML(text) : text
            case .section(let reference, let inverted, let body):
                let value = resolve(reference, event: event, scope: scope)
                let truthy = value?.isTruthy ?? false
                if inverted {
                    if !truthy { render(body, event: event, scope: &scope, into: &output, report: &report) }
                    continue
                }
                guard truthy, let value else { continue }
                if case .json(let json) = value, json.kind == .array {
                    for element in json.elements {
                        scope.append(.json(element))
                        render(body, event: event, scope: &scope, into: &output, report: &report)
                        scope.removeLast()
                    }
                } else {
                    scope.append(value)
                    render(body, event: event, scope: &scope, into: &output, report: &report)
                    scope.removeLast()
                }
            }
        }
    }

    /// Inside sections, a path is looked up in the innermost item first, then outwards, then in
    /// the event.
    private func resolve(_ reference: Reference, event: Event, scope: [FieldValue]) -> FieldValue? {
        switch reference {
        case .current:
            return scope.last
        case .path(let path):
            if case .payload = path.root {
                for item in scope.reversed() {
                    if case .json(let json) = item, json.kind == .object, let found = json.value(at: path.components) {
                        return .json(found)
                    }
                }
            }
            return event.value(at: path)
        }
    }

    private func apply(_ filter: Filter, to text: String, value: inout FieldValue?) -> String {
        switch filter {
        case .lower: return text.lowercased()
        case .upper: return text.uppercased()
        case .trim: return text.trimmingSpaces()
        case .urlencode: return PercentEncoding.encode(text)
        case .json: return value?.jsonText ?? "null"
        case .language: return primaryLanguage(text)
        case .default(let fallback):
            if value == nil || value?.isNull == true || text.isEmpty {
                value = .text(fallback)
                return fallback
            }
            return text
        }
    }
}

/// The primary language subtag of a BCP 47 tag or POSIX locale, lower-cased: `en-US` → `en`,
/// `pt_BR.UTF-8` → `pt`, `de` → `de`. Text that does not start with letters gives "".
package func primaryLanguage(_ tag: String) -> String {
    let letters = tag.unicodeScalars.prefix { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
    return String(String.UnicodeScalarView(letters)).lowercased()
}

/// Escapes `& < > " '` for HTML text and attribute values.
package func escapeHTML(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
        return text
    }
    var result = ""
    result.reserveCapacity(text.utf8.count + 16)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&#39;"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// Replaces control characters (CR, LF, TAB, other C0 and DEL) with spaces so the text is safe
/// in a header, and trims the ends.
package func headerSafe(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
    var result = ""
    for scalar in text.unicodeScalars {
        result.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
    }
    return result.trimmingSpaces()
}
