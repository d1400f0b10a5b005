import FoundationEssentials
import Glibc
import HeraldCore

/// The terminal form of `herald queue|dead` answers: tables for `list`, a record and the pretty
/// payload for `show`, one line for `retry` and `drop`.
struct QueueReport {
    let now: Date
    /// Columns available; the reason column takes what the others leave.
    let width: Int

    /// The terminal's width, or 160 when the output is not a terminal (a pipe keeps more text).
    static func terminalWidth() -> Int {
        var size = winsize()
        if isatty(STDOUT_FILENO) != 0, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(Int(size.ws_col), 80)
        }
        return 160
    }

    func render(_ subcommand: String, section: String, _ answer: JSON) -> String {
        switch subcommand {
        case "list": return section == "queue" ? queueTable(answer) : deadTable(answer)
        case "show": return record(answer, dead: section == "dead")
        case "retry" where answer["matched"] != nil:
            let ids = (answer["ids"]?.array ?? []).compactMap(\.string)
            let count = ids.count
            let noun = count == 1 ? "dead letter" : "dead letters"
            if answer["dry_run"]?.bool == true {
                return (["\(count) \(noun) would be put back in the queue (--dry-run: nothing changed)"] + ids)
                    .joined(separator: "\n") + "\n"
            }
            return (["\(count) \(noun) back in the queue; they run now"] + ids).joined(separator: "\n") + "\n"
        default:
            let id = (answer["id"]?.string ?? "").escapingControlCharacters
            var line: String
            switch answer["result"]?.string {
            case "retried": line = "job \(id) runs now"
            case "queued": line = "dead letter \(id) is back in the queue; it runs now"
            case "running": line = "job \(id) is being attempted right now"
            case "dropped": line = "\(section == "queue" ? "job" : "dead letter") \(id) dropped"
            default: line = answer.serializedString.escapingControlCharacters
            }
            if let note = answer["note"]?.string { line += " (\(note.escapingControlCharacters))" }
            return line + "\n"
        }
    }

    private func queueTable(_ answer: JSON) -> String {
        let jobs = answer["jobs"]?.array ?? []
        let total = Int(answer["total"]?.int ?? 0)
        guard total > 0 else { return "the queue is empty\n" }
        let rows = jobs.map { job -> [String] in
            var next = job["running"]?.bool == true ? "running" : relative(job["next_attempt_at"]?.string, future: true)
            if let waits = job["waits_for"]?.string, waits.contains("earlier job") {
                next = "after " + waits.prefix { $0 != " " } + " earlier"
            }
            return [
                text(job, "id"), text(job, "action"), text(job, "route"), text(job, "event"),
                String(job["attempts"]?.int ?? 0), next,
            ]
        }
        let table = Self.table(
            ["ID", "ACTION", "ROUTE", "EVENT", "ATTEMPTS", "NEXT ATTEMPT"], rows, maxWidths: [36, 16, 20, 28, 8, 16])
        return table + footer(shown: jobs.count, total: total, noun: "queued job")
    }

    private func deadTable(_ answer: JSON) -> String {
        let letters = answer["dead_letters"]?.array ?? []
        let total = Int(answer["total"]?.int ?? 0)
        guard total > 0 else { return "no dead letters\n" }
        let rows = letters.map { letter -> [String] in
            [
                text(letter, "id"), text(letter, "action"), text(letter, "route"), text(letter, "event"),
                String(letter["attempts"]?.int ?? 0), relative(letter["died_at"]?.string, future: false),
                text(letter, "reason"),
            ]
        }
        var widths = [36, 16, 20, 28, 8, 12]
        // Columns are separated by two spaces; the reason gets the rest of the line (at least 24).
        let used =
            zip(widths, 0..<6).map { width, column in
                min(
                    width,
                    rows.map { $0[column].count }.max().map { max($0, Self.headers(dead: true)[column].count) } ?? width
                )
            }.reduce(0, +) + 2 * 6
        widths.append(max(24, width - used))
        let table = Self.table(Self.headers(dead: true), rows, maxWidths: widths)
        return table + footer(shown: letters.count, total: total, noun: "dead letter")
    }

    private static func headers(dead: Bool) -> [String] {
        ["ID", "ACTION", "ROUTE", "EVENT", "ATTEMPTS", dead ? "DIED" : "NEXT ATTEMPT", "REASON"]
    }

    private func footer(shown: Int, total: Int, noun: String) -> String {
        let plural = total == 1 ? noun : noun + "s"
        if shown < total { return "\(total) \(plural); the first \(shown) shown (--limit N, 0 for all)\n" }
        return "\(total) \(plural)\n"
    }

    private func record(_ job: JSON, dead: Bool) -> String {
        var lines = ["\(dead ? "dead letter" : "queued job") \(text(job, "id"))"]
        func field(_ name: String, _ value: String) {
            lines.append("  " + name.padded(to: 14) + value)
        }
        field("event", "\(text(job, "event")) (event id \(text(job, "event_id")))")
        if job["trace_id"]?.string != nil {
            field("trace", "\(text(job, "trace_id")) (ingress span \(text(job, "span_id")))")
        }
        field("route", text(job, "route"))
        field("action", text(job, "action"))
        field("created", "\(text(job, "created_at")) (\(relative(job["created_at"]?.string, future: false)))")
        field("attempts", String(job["attempts"]?.int ?? 0))
        if dead {
            field("died", "\(text(job, "died_at")) (\(relative(job["died_at"]?.string, future: false)))")
            field("reason", text(job, "reason"))
            field("last answer", job["last_answer"]?.string?.escapingControlCharacters ?? "—")
        } else if job["running"]?.bool == true {
            field("next attempt", "running now")
        } else {
            field(
                "next attempt",
                "\(text(job, "next_attempt_at")) (\(relative(job["next_attempt_at"]?.string, future: true)))")
        }
        if !dead, job["waits_for"] != nil { field("waits for", text(job, "waits_for")) }
        if let key = job["ordering_key"]?.string {
            field("in order with", "other jobs of \(text(job, "action")) to \(key.escapingControlCharacters)")
        }
        lines.append("  payload (what the action sends, secrets added when it runs):")
        let payload = (job["payload"] ?? .null).prettyPrinted().split(separator: "\n", omittingEmptySubsequences: false)
        lines += payload.map { "    " + String($0).escapingControlCharacters }
        return lines.joined(separator: "\n") + "\n"
    }

    private func text(_ object: JSON, _ key: String) -> String {
        switch object[key] {
        // Reasons hold text from remote peers: a newline would break the table, and an escape
        // sequence would act on the operator's terminal.
        case .string(let value)?: value.replacing("\n", with: " ").escapingControlCharacters
        case nil, .null?: "—"
        case let other?: other.serializedString
        }
    }

    /// "in 4m12s", "now", "3h ago".
    private func relative(_ timestamp: String?, future: Bool) -> String {
        guard let timestamp, let date = Self.parse(timestamp) else { return timestamp ?? "—" }
        let seconds = Int(date.timeIntervalSince(now).rounded())
        if future && seconds <= 0 { return "now" }
        if !future && seconds >= 0 && seconds < 1 { return "just now" }
        let span = Self.span(abs(seconds))
        return seconds > 0 ? "in \(span)" : "\(span) ago"
    }

    static func span(_ seconds: Int) -> String {
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m\((seconds % 60).zeroPadded(2))s"
        case ..<86_400: return "\(seconds / 3600)h\((seconds % 3600 / 60).zeroPadded(2))m"
        default: return "\(seconds / 86_400)d\(seconds % 86_400 / 3600)h"
        }
    }

    static func parse(_ timestamp: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(timestamp)
    }

    /// Left-aligned columns; a value longer than its column's limit is cut with "…".
    static func table(_ headers: [String], _ rows: [[String]], maxWidths: [Int]) -> String {
        let cells = ([headers] + rows).map { row in
            row.enumerated().map { column, value in
                value.count > maxWidths[column] ? String(value.prefix(maxWidths[column] - 1)) + "…" : value
            }
        }
        let widths = headers.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        return cells.map { row in
            row.enumerated().map { column, value in
                column == row.count - 1 ? value : value.padded(to: widths[column])
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// The text followed by spaces up to `width` characters (never cut).
    fileprivate func padded(to width: Int) -> String {
        self + String(repeating: " ", count: max(width - count, 0))
    }
}
