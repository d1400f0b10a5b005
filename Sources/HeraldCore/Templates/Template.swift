/// Where a rendered template goes, which decides how values are escaped (design §6.3).
package enum TemplateSink: Sendable, Hashable {
    /// HTML bodies: `{{x}}` is HTML-escaped, `{{{x}}}` is inserted as it is.
    case html
    /// Text bodies and values handed to other systems (merge vars): inserted as they are.
    case text
    /// Header-like fields (subject, names, addresses): control characters (CR, LF, …) become
    /// spaces in the whole result, so no value can add a header.
    case header
}

/// A compiled template of Herald's small logic-less language:
/// `{{path}}`, `{{path | default: 'x'}}`, filters `lower`, `upper`, `trim`, `urlencode`, `json`,
/// `language` (`en-US` → `en`, for locale fallbacks such as `welcome-{{event.locale | language}}`),
/// raw `{{{path}}}`, sections `{{#path}}…{{/path}}`, inverted sections `{{^path}}…{{/path}}`,
/// comments `{{! … }}` and `{{.}}` for the current item inside a section over a list.
package struct Template: Sendable, CustomStringConvertible {
    indirect enum Node: Sendable {
        case text(String)
        case value(Reference, filters: [Filter], raw: Bool)
        case section(Reference, inverted: Bool, body: [Node])
    }

    enum Reference: Sendable {
        case current
        case path(PayloadPath)
    }

    enum Filter: Sendable, Equatable {
        case lower, upper, trim, urlencode, json
        /// The primary language subtag of a locale, lower-cased: `en-US`, `en_us`, `EN` → `en`.
        case language
        case `default`(String)
    }

    let nodes: [Node]
    package let sink: TemplateSink
    /// The source text, for `herald check` and messages.
    package let source: String

    /// True when the template has no tags: its output is its source.
    package var isConstant: Bool {
        nodes.allSatisfy { if case .text = $0 { return true } else { return false } }
    }

    package var description: String { source }
}

/// What rendering noticed: paths that were missing from the payload and had no default.
package struct RenderReport: Sendable {
    /// Each missing path once, in the order first met (a path used in the subject and the body
    /// is one problem, not two).
    package private(set) var missingPaths: [String] = []

    package init() {}

    package mutating func noteMissing(_ path: String) {
        if !missingPaths.contains(path) { missingPaths.append(path) }
    }
}
