import FoundationEssentials

/// A URL as `herald check` prints it: where it leads, without what may be a credential written
/// into it. Receivers often take their token in the URL itself — a query value
/// (`?token=…`, `?code=…`, `?sig=…`) or a path segment (Slack's `/services/T…/B…/<token>`,
/// Discord's `/api/webhooks/<id>/<token>`) — and check's output ends up in CI logs and tickets.
/// Every query value becomes `…`, and so does every path segment of 20 characters or more that
/// mixes letters and digits (a token's shape; a UUID is masked too, which a summary can afford).
///
/// ```swift
/// URLSummary.text(URL(string: "https://hooks.slack.com/services/T0/B0/abcdefghij0123456789xyzw?x=1")!)
/// // "https://hooks.slack.com/services/T0/B0/…?x=…"
/// ```
package enum URLSummary {
    package static func text(_ url: URL) -> String {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false), let scheme = components.scheme,
            let host = components.percentEncodedHost
        else { return "(a URL)" }
        // An IPv6 literal keeps its brackets, whichever way the parser hands it over.
        var text = "\(scheme)://" + (host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host)
        if let port = components.port { text += ":\(port)" }
        text += components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
            .map { looksLikeToken($0) ? "…" : String($0) }.joined(separator: "/")
        let names = URLQuery.parameters(of: url.absoluteString).map(\.name)
        if !names.isEmpty { text += "?" + names.map { "\($0)=…" }.joined(separator: "&") }
        return text
    }

    private static func looksLikeToken(_ segment: Substring) -> Bool {
        segment.utf8.count >= 20 && segment.contains(where: \.isLetter) && segment.contains(where: \.isNumber)
    }
}
