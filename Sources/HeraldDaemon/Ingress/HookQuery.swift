import HeraldCore

/// What the query of a hook's URL tells Herald (`herald kratos-config` writes both):
/// `mode=decide` for a pre-persist hook that only consults deny routes, and `method=NAME` for the
/// per-method list the hook sits in, since Kratos' body says the method only for some of them.
///
/// Only Herald's own parameters are accepted: a typo (`?mode=decidee`) is a 400 that names it,
/// never a silent change of what the hook does.
package struct HookQuery: Equatable {
    /// `?mode=decide`: consult deny routes only; plan no jobs.
    var decide = false
    /// `?method=password`: the method (or settings type) of the Kratos list that called.
    var method: String?

    /// A query Herald cannot honour: answered 400 with this message.
    /// The longest method name accepted; Kratos' are short identifiers (`lookup_secret`).
    static let maxMethodLength = 40

    init() {}

    /// Parses `query` (what follows `?`); nil or empty is the plain hook.
    init(_ query: Substring?) throws(IngressRejection) {
        guard let query, !query.isEmpty else { return }
        var seen: Set<Substring> = []
        for parameter in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0]
            let value = parts.count == 2 ? parts[1] : ""
            guard seen.insert(name).inserted else {
                throw IngressRejection(.badQuery, "query parameter '\(Self.shown(name))' is given twice")
            }
            switch name {
            case "mode":
                guard value == "decide" else {
                    throw IngressRejection(
                        .badQuery, "unknown mode '\(Self.shown(value))'; the only mode is decide (?mode=decide)")
                }
                decide = true
            case "method":
                guard Self.isMethodName(value) else {
                    throw IngressRejection(
                        .badQuery,
                        "method must be a Kratos method name such as password, oidc or profile, found '\(Self.shown(value))'"
                    )
                }
                method = String(value)
            default:
                throw IngressRejection(
                    .badQuery,
                    "unknown query parameter '\(Self.shown(name))'; hook URLs take mode=decide and method=NAME"
                )
            }
        }
    }

    /// Lower-case letters, digits and `_`, starting with a letter: every Kratos method and settings
    /// type (`password`, `lookup_secret`, `profile`), and nothing that needs escaping in a log.
    package static func isMethodName(_ text: Substring) -> Bool { KratosMethod.isMethodName(text) }

    /// Request text quoted in an answer: printable ASCII only, and short.
    private static func shown(_ text: Substring) -> String {
        let printable = text.unicodeScalars.prefix(40).map {
            $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?"
        }
        return String(printable) + (text.unicodeScalars.count > 40 ? "…" : "")
    }
}
