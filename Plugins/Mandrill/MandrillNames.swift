import HeraldCore

/// The rules Mandrill sets for names and values, checked when the config loads
/// (reference/mandrill-api.md §A.1).
enum MandrillNames {
    static let mergeLanguages = ["mailchimp", "handlebars"]
    /// Metadata fields Herald adds, so that a possible duplicate can be traced and Mandrill's
    /// events about the message lead back to the identity (`herald_identity`, when the event
    /// has one).
    static let reservedMetadata = ["herald_job", "herald_event", "herald_identity"]
    /// Mandrill indexes at most 10 metadata fields, and Herald uses three of them.
    static let maxUserMetadata = 7
    static let maxTagLength = 50
    /// Mandrill keeps only the first 100 distinct tags of a message.
    static let maxTags = 100

    /// Why `tag` is not a valid Mandrill tag, or nil.
    static func tagProblem(_ tag: String) -> String? {
        if tag.isEmpty { return "a tag must not be empty" }
        if tag.hasPrefix("_") { return "tag '\(tag)' must not start with '_' (Mandrill reserves those)" }
        if tag.count > maxTagLength { return "tag '\(tag.prefix(20))…' is longer than \(maxTagLength) characters" }
        return nil
    }

    /// Why `name` is not a valid merge variable name, or nil.
    static func mergeVarProblem(_ name: String) -> String? {
        if name.isEmpty { return "a merge variable name must not be empty" }
        if name.hasPrefix("_") { return "merge variable '\(name)' must not start with '_' (Mandrill reserves those)" }
        return nil
    }

    /// Why `name` cannot be a metadata field, or nil.
    static func metadataNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "a metadata field name must not be empty" }
        if reservedMetadata.contains(name) { return "metadata field '\(name)' is set by Herald itself" }
        return nil
    }

    /// Why `name` cannot be a header name, or nil: an RFC 5322 field name, not one the plugin sets.
    static func headerNameProblem(_ name: String) -> String? {
        let valid = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != ":" }
        if !valid { return "'\(name)' is not a valid header name" }
        if name.lowercased() == "reply-to" { return "set the Reply-To header with 'reply_to'" }
        return nil
    }

    /// Whether `text` is `YYYY-MM-DD HH:MM:SS` with plausible field values (Mandrill's `send_at`, UTC).
    static func isSendAt(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 19 else { return false }
        let shape = Array("0000-00-00 00:00:00".utf8)
        for (byte, expected) in zip(bytes, shape) {
            if expected == UInt8(ascii: "0") {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            } else if byte != expected {
                return false
            }
        }
        func number(_ range: Range<Int>) -> Int {
            bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        return (1...12).contains(number(5..<7)) && (1...31).contains(number(8..<10)) && number(11..<13) < 24
            && number(14..<16) < 60 && number(17..<19) < 60
    }

    /// Reads a list of tags (or one tag), reporting each bad one at its own position.
    static func tags(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> [String]? {
        let items = node.sequence ?? [node]
        var tags: [String] = []
        var valid = true
        for item in items {
            guard let tag = ConfigMap.string(item, key: "tags", acceptingScalars: true, diagnostics: diagnostics) else {
                valid = false
                continue
            }
            if let problem = tagProblem(tag) {
                diagnostics.error(problem, at: item)
                valid = false
            } else if !tags.contains(tag) {
                tags.append(tag)
            }
        }
        if tags.count > maxTags {
            diagnostics.error("at most \(maxTags) tags are kept by Mandrill, found \(tags.count)", at: node)
            valid = false
        }
        return valid ? tags : nil
    }

    /// Reads `merge_language`.
    static func mergeLanguage(_ map: ConfigMap) -> String? {
        guard let node = map.node("merge_language"), let value = map.string("merge_language") else { return nil }
        guard mergeLanguages.contains(value) else {
            map.diagnostics.error(
                "'merge_language' must be mailchimp or handlebars, found \(node.displayValue)", at: node)
            return nil
        }
        return value
    }
}
