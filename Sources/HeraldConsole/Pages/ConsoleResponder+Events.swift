import HeraldCore
import HeraldHTTP

/// The last events the ingress decided on: names, method, recipient (masked), routes and
/// decisions. Never a payload.
extension ConsoleResponder {
    func events(csrf: String) -> HTTPResponse {
        let entries = context.events.entries
        var body =
            "<p>The last \(entries.count) event\(entries.count == 1 ? "" : "s") this instance received, newest first "
        body += "(kept in memory; personal data masked).</p>"
        guard !entries.isEmpty else {
            body += "<p class=\"muted\">No events since the daemon started.</p>"
            return ConsolePage(title: "Recent events", section: .events, csrf: csrf, body: body).response
        }
        body += "<table><thead><tr><th scope=\"col\">Received</th><th scope=\"col\">Event</th><th scope=\"col\">Id</th>"
        body +=
            "<th scope=\"col\">Method</th><th scope=\"col\">Recipient</th><th scope=\"col\">Decision</th></tr></thead><tbody>"
        for entry in entries {
            body += "<tr><td>\(Self.time(entry.receivedAt))</td><td>\(HTML.escape(entry.event))</td>"
            body += "<td>\(HTML.escape(entry.id))</td><td>\(HTML.escape(entry.method ?? "—"))</td>"
            body += "<td>\(HTML.escape(entry.recipient ?? "—"))</td><td>\(Self.decision(entry.decision))</td></tr>"
        }
        body += "</tbody></table>"
        return ConsolePage(title: "Recent events", section: .events, csrf: csrf, body: body).response
    }

    private static func decision(_ decision: RecentEvents.Decision) -> String {
        switch decision {
        case .accepted(let routes, let jobs):
            if routes.isEmpty { return "<span class=\"muted\">accepted; no route matched</span>" }
            let links = routes.map { "<a href=\"/queue?route=\(PercentEncoding.encode($0))\">\(HTML.escape($0))</a>" }
            return
                "<span class=\"ok\">accepted</span>: \(links.joined(separator: ", ")); \(jobs) job\(jobs == 1 ? "" : "s")"
        case .denied(let routes, let status):
            return "<span class=\"warn\">denied \(status)</span> by \(HTML.escape(routes.joined(separator: ", ")))"
        case .allowed: return "allowed (decide only)"
        case .duplicate: return "<span class=\"muted\">duplicate; already accepted</span>"
        case .notStored: return "<span class=\"bad\">not stored (503; Kratos retries)</span>"
        }
    }
}
