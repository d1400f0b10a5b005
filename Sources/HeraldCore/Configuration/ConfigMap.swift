/// Reads a YAML mapping against a fixed set of keys, recording every problem in a
/// `ConfigDiagnostics` instead of stopping at the first.
///
/// Unknown keys are reported when the map is opened (with a suggestion when one is close);
/// typed getters report wrong types and missing required keys at the right position.
///
/// ```swift
/// guard var map = ConfigMap(node, keys: ["api_key", "from"], what: "action 'mail'", diagnostics: d)
/// else { return nil }
/// let key = map.string("api_key", required: true)
/// ```
package struct ConfigMap {
    package let node: ConfigNode
    package let diagnostics: ConfigDiagnostics
    private var pairs: [String: ConfigNode.Pair] = [:]

    /// Opens `node` as a map. Reports and returns nil when it is not one.
    ///
    /// - Parameters:
    ///   - keys: every key this map may have; anything else is reported as unknown.
    ///   - what: how to name the map in messages ("the ingress section", "route 'welcome'").
    package init?(_ node: ConfigNode, keys: [String], what: String, diagnostics: ConfigDiagnostics) {
        self.node = node
        self.diagnostics = diagnostics
        if node.isNull {
            return
        }
        guard let mapping = node.mapping else {
            diagnostics.error("\(what) must be a map, found \(node.kindDescription)", at: node)
            return nil
        }
        for pair in mapping {
            guard let key = pair.key.scalar?.text else {
                diagnostics.error("keys of \(what) must be text, found \(pair.key.kindDescription)", at: pair.key)
                continue
            }
            if !keys.contains(key) {
                var message = "unknown key '\(key)' in \(what)"
                if let close = closestMatch(to: key, in: keys) {
                    message += "; did you mean '\(close)'?"
                } else if !keys.isEmpty {
                    message += " (expected one of: \(keys.joined(separator: ", ")))"
                }
                diagnostics.error(message, at: pair.key)
                continue
            }
            pairs[key] = pair
        }
    }

    /// The keys present, in no particular order.
    package var presentKeys: [String] { Array(pairs.keys) }

    package func contains(_ key: String) -> Bool { pairs[key] != nil }

    /// The value node of `key`, or nil (reported when `required`).
    package func node(_ key: String, required: Bool = false) -> ConfigNode? {
        if let pair = pairs[key] { return pair.value }
        if required { diagnostics.error("missing required key '\(key)'", at: node) }
        return nil
    }

    /// The key node of `key`, for errors about the key itself.
    package func keyNode(_ key: String) -> ConfigNode? { pairs[key]?.key }

    /// A text value. Numbers and booleans written plainly are taken as their text only when
    /// `acceptingScalars` is true (e.g. a tag name `2024`); otherwise a type error is reported.
    package func string(_ key: String, required: Bool = false, acceptingScalars: Bool = false) -> String? {
        guard let value = node(key, required: required) else { return nil }
        return ConfigMap.string(value, key: key, acceptingScalars: acceptingScalars, diagnostics: diagnostics)
    }

    /// A `true`/`false` value.
    package func bool(_ key: String) -> Bool? {
        guard let value = node(key) else { return nil }
        if case .bool(let flag)? = value.resolved { return flag }
        diagnostics.error(
            "'\(key)' must be true or false, found \(value.kindDescription) \(value.displayValue)", at: value)
        return nil
    }

    /// An integer within `range`.
    package func int(_ key: String, in range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let value = node(key, required: required) else { return nil }
        guard case .int(let number)? = value.resolved else {
            diagnostics.error(
                "'\(key)' must be an integer, found \(value.kindDescription) \(value.displayValue)", at: value)
            return nil
        }
        guard range.contains(number) else {
            diagnostics.error(
                "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), found \(number)", at: value)
            return nil
        }
        return number
    }

    /// A number within `range` (integers are accepted).
    package func double(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = node(key) else { return nil }
        let number: Double
        switch value.resolved {
        case .int(let int)?: number = Double(int)
        case .float(let float)?: number = float
        default:
            diagnostics.error(
                "'\(key)' must be a number, found \(value.kindDescription) \(value.displayValue)", at: value)
            return nil
        }
        guard range.contains(number) else {
            diagnostics.error(
                "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), found \(number)", at: value)
            return nil
        }
        return number
    }

    /// A duration such as `500ms`, `30s`, `2m`, `1h30m`, `2d`.
    package func duration(_ key: String, required: Bool = false) -> Duration? {
        guard let value = node(key, required: required) else { return nil }
        return ConfigMap.duration(value, key: key, diagnostics: diagnostics)
    }

    /// A duration of at least `minimum`, for a timeout that would expire before anything happens.
    package func duration(_ key: String, atLeast minimum: Duration) -> Duration? {
        guard let value = duration(key), let node = node(key) else { return nil }
        guard value >= minimum else {
            diagnostics.error(
                "'\(key)' must be at least \(minimum.compactDescription), found \(node.displayValue)", at: node)
            return nil
        }
        return value
    }

    /// A list of text values; a single text value is accepted as a one-item list.
    package func stringList(_ key: String, required: Bool = false) -> [String]? {
        guard let value = node(key, required: required) else { return nil }
        return ConfigMap.stringList(value, key: key, diagnostics: diagnostics)
    }

    /// Reads `node` as text, reporting a type error otherwise.
    package static func string(
        _ node: ConfigNode, key: String, acceptingScalars: Bool = false, diagnostics: ConfigDiagnostics
    ) -> String? {
        guard let scalar = node.scalar else {
            diagnostics.error("'\(key)' must be text, found \(node.kindDescription)", at: node)
            return nil
        }
        switch node.resolved {
        case .string(let text)?: return text
        case .null?:
            diagnostics.error("'\(key)' must be text, found null", at: node)
            return nil
        default:
            if acceptingScalars { return scalar.text }
            diagnostics.error(
                "'\(key)' must be text, found \(node.kindDescription) \(node.displayValue); quote it to use it as text",
                at: node)
            return nil
        }
    }

    /// Reads `node` as a duration, reporting a type or syntax error otherwise.
    package static func duration(_ node: ConfigNode, key: String, diagnostics: ConfigDiagnostics) -> Duration? {
        switch node.scalar.map({ parseConfiguredDuration($0.text) }) ?? .malformed {
        case .duration(let duration):
            return duration
        case .tooLong:
            diagnostics.error(
                "'\(key)' must be at most \(Duration.longestConfigurable.compactDescription) (about ten years), found \(node.displayValue)",
                at: node)
            return nil
        case .malformed:
            diagnostics.error(
                "'\(key)' must be a duration such as 500ms, 30s, 5m, 1h30m or 2d, found \(node.displayValue)", at: node)
            return nil
        }
    }

    /// Reads `node` as a list of text values (or one text value).
    package static func stringList(_ node: ConfigNode, key: String, diagnostics: ConfigDiagnostics) -> [String]? {
        if node.scalar != nil {
            return string(node, key: key, diagnostics: diagnostics).map { [$0] }
        }
        guard let items = node.sequence else {
            diagnostics.error("'\(key)' must be a list of text values, found \(node.kindDescription)", at: node)
            return nil
        }
        var result: [String] = []
        var valid = true
        for item in items {
            if let text = string(item, key: key, diagnostics: diagnostics) {
                result.append(text)
            } else {
                valid = false
            }
        }
        return valid ? result : nil
    }
}

/// The candidate nearest to `word` by edit distance, if it is close enough to be a likely typo.
package func closestMatch(to word: String, in candidates: [String]) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(Array(word.lowercased().utf8), Array(candidate.lowercased().utf8))
        if distance <= max(1, candidate.count / 3), distance < (best?.1 ?? .max) {
            best = (candidate, distance)
        }
    }
    return best?.0
}

/// Edit distance counting insertions, deletions, substitutions and swaps of neighbours
/// (optimal string alignment), so `mial` is one edit from `mail`.
private func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}
