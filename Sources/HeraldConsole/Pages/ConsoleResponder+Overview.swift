import HeraldCore
import HeraldHTTP
import HeraldJobs

/// The overview: events and deliveries per minute over the last hour (an SVG chart drawn on the
/// server, so it shows without JavaScript; the script only refreshes it), the queue's depth,
/// the dead letters, and each action's health.
extension ConsoleResponder {
    /// Above this many queued jobs (or dead letters) the per-action figures are not computed:
    /// they come from one read of the whole list, held in memory while the page is built.
    static let perActionLimit = 10_000

    func overview(csrf: String) -> HTTPResponse {
        let body = "<div id=\"live\" aria-live=\"polite\">\(liveBody())</div>"
        return ConsolePage(title: "Overview", section: .overview, csrf: csrf, body: body).response
    }

    /// The part of the overview the script refreshes.
    func overviewLive() -> HTTPResponse {
        HTTPResponse(
            status: 200, headers: ConsolePage.headers(contentType: "text/html; charset=utf-8"),
            body: Array(liveBody().utf8))
    }

    private func liveBody() -> String {
        let minutes = context.activity.lastHour()
        let depth = context.depth()
        // One read of each list for the whole page, never one per action: the refresh repeats it
        // every 10 s for as long as the page is open.
        let deadPage = try? context.page(.dead, JobFilter(), Self.perActionLimit)
        let dead = deadPage.map { String($0.total) } ?? "?"
        var html = "<div class=\"cards\">"
        html += card("Events, last hour", String(minutes.reduce(0) { $0 + $1.events }))
        html += card("Delivered, last hour", String(minutes.reduce(0) { $0 + $1.delivered }))
        html += card("Failed attempts, last hour", String(minutes.reduce(0) { $0 + $1.failed }))
        html += card("Queue depth", depth.map { String($0.jobs) } ?? "?")
        html += card("Oldest queued", depth?.oldestAge.map { $0.compactDescription } ?? "—")
        html += card("Dead letters", dead)
        html += "</div><h2>Per minute, last hour</h2>"
        html += Self.chart(minutes)
        html += actionTable(
            retrying: retryingByAction(depth: depth?.jobs), dead: Self.byAction(deadPage, counting: { _ in true }))
        return html
    }

    private func card(_ label: String, _ value: String) -> String {
        "<div class=\"card\">\(HTML.escape(label))<b>\(HTML.escape(value))</b></div>"
    }

    /// Three bars a minute: events, delivered, failed attempts; a table of the same figures for
    /// screen readers.
    static func chart(_ minutes: [ActivityRing.Minute]) -> String {
        let width = 600
        let height = 120
        let peak = max(1, minutes.map { max($0.events, $0.delivered, $0.failed) }.max() ?? 1)
        let slot = Double(width) / Double(max(1, minutes.count))
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height + 14)\" role=\"img\" "
        svg +=
            "aria-label=\"Events, deliveries and failed attempts per minute over the last hour; peak \(peak) a minute\">"
        for (index, minute) in minutes.enumerated() {
            let x = Double(index) * slot
            for (offset, (value, kind)) in [
                (minute.events, "events"), (minute.delivered, "delivered"), (minute.failed, "failed"),
            ]
            .enumerated() where value > 0 {
                let barHeight = max(1, Int(Double(height) * Double(value) / Double(peak)))
                let barX = x + Double(offset) * slot / 3
                svg += "<rect class=\"\(kind)\" x=\"\(Self.format(barX))\" y=\"\(height - barHeight)\" "
                svg +=
                    "width=\"\(Self.format(slot / 3 - 0.5))\" height=\"\(barHeight)\"><title>\(value) \(kind)</title></rect>"
            }
        }
        svg += "<text x=\"0\" y=\"\(height + 12)\">−60 min</text>"
        svg += "<text x=\"\(width - 24)\" y=\"\(height + 12)\">now</text>"
        svg += "<text x=\"2\" y=\"10\">\(peak)/min</text></svg>"
        svg += "<p class=\"legend\"><span class=\"events\">■ events</span> <span class=\"ok\">■ delivered</span> "
        svg += "<span class=\"bad\">■ failed attempts</span></p>"
        return svg
    }

    /// Each action's jobs with at least one failed attempt; nil when the queue is too long to read.
    private func retryingByAction(depth: Int?) -> [String: Int]? {
        guard let depth, depth <= Self.perActionLimit else { return nil }
        return Self.byAction(try? context.page(.queue, JobFilter(), Self.perActionLimit)) { $0.attempts > 0 }
    }

    /// How many of `page`'s jobs of each action pass `counts`; nil unless the page holds them all.
    private static func byAction(_ page: JobPage?, counting counts: (StoredJob) -> Bool) -> [String: Int]? {
        guard let page, page.items.count == page.total else { return nil }
        var result: [String: Int] = [:]
        for stored in page.items where counts(stored) {
            guard let action = stored.job?.action else { continue }
            result[action, default: 0] += 1
        }
        return result
    }

    private func actionTable(retrying: [String: Int]?, dead: [String: Int]?) -> String {
        let snapshot = context.configuration.current.configuration
        let health = context.health.snapshot
        var html = "<h2>Actions</h2><table><thead><tr><th scope=\"col\">Action</th><th scope=\"col\">Plugin</th>"
        html += "<th scope=\"col\">Last success</th><th scope=\"col\">Last failure</th><th scope=\"col\">Why</th>"
        html += "<th scope=\"col\">Retrying</th><th scope=\"col\">Dead letters</th></tr></thead><tbody>"
        for name in snapshot.actions.keys.sorted() {
            let entry = health[name] ?? ActionHealth.Entry()
            let retrying = retrying.map { String($0[name] ?? 0) } ?? "?"
            let dead = dead.map { String($0[name] ?? 0) } ?? "?"
            let healthy = entry.lastFailure.map { failure in entry.lastSuccess.map { $0 > failure } ?? false } ?? true
            html += "<tr><td><a href=\"/queue?action=\(PercentEncoding.encode(name))\">\(HTML.escape(name))</a>"
            html += healthy ? "" : " <span class=\"bad\">(failing)</span>"
            html += "</td><td>\(HTML.escape(snapshot.actions[name]?.kind ?? "?"))</td>"
            html +=
                "<td>\(entry.lastSuccess.map(Self.time) ?? "—")</td><td>\(entry.lastFailure.map(Self.time) ?? "—")</td>"
            html += "<td>\(HTML.escape(entry.lastFailureReason ?? "—"))</td><td>\(retrying)</td>"
            html += "<td><a href=\"/dead?action=\(PercentEncoding.encode(name))\">\(dead)</a></td></tr>"
        }
        html += "</tbody></table>"
        return html
    }

    private static func format(_ value: Double) -> String {
        String(Double(Int(value * 10)) / 10)
    }
}
