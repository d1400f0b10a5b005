import HeraldCore
import HeraldHTTP
import HeraldJobs

/// The queue and dead-letter pages: lists with filters, one job, retry and drop (each after a
/// confirmation page), and retry or drop of every dead letter that matches.
extension ConsoleResponder {
    /// Most rows a list shows; the total says how many match.
    static let listLimit = 200

    func jobs(
        _ method: String, _ section: JobSection, _ rest: [String], query: FormData, form: FormData, csrf: String
    ) throws(ConsoleError) -> HTTPResponse {
        let page: ConsolePage.Section = section == .queue ? .queue : .dead
        switch (method, rest.count) {
        case ("GET", 0):
            return try list(section, filter: JobListFilter(query), csrf: csrf)
        case (_, 1) where rest[0] == "retry-all" || rest[0] == "drop-all":
            let retry = rest[0] == "retry-all"
            let filter = try JobListFilter(method == "POST" ? form : query)
            return method == "POST"
                ? try all(section, retry: retry, filter: filter, csrf: csrf)
                : try confirmAll(section, retry: retry, filter: filter, csrf: csrf)
        case ("GET", 1):
            let id = try Self.id(rest[0], section)
            return try detail(section, id, csrf: csrf)
        case (_, 2) where rest[1] == "retry" || rest[1] == "drop":
            let id = try Self.id(rest[0], section)
            if method == "GET" {
                // Exists, and is in this section, before anything is offered.
                _ = try Self.store { () throws(JobStoreError) in try context.control.show(section, id) }
                return confirmOne(section, id, action: rest[1], csrf: csrf)
            }
            let answer = try Self.store { () throws(JobStoreError) in
                rest[1] == "retry" ? try context.control.retry(section, id) : try context.control.drop(section, id)
            }
            let body =
                "<p class=\"notice\" role=\"status\">\(HTML.escape(Self.sentence(answer)))</p>"
                + "<p><a href=\"/\(section.rawValue)\">Back to the \(page == .queue ? "queue" : "dead letters")</a></p>"
            return ConsolePage(title: "Job \(id)", section: page, csrf: csrf, body: body).response
        default:
            throw ConsoleError(404, "no such page")
        }
    }

    // MARK: Lists

    private func list(_ section: JobSection, filter: JobListFilter, csrf: String) throws(ConsoleError)
        -> HTTPResponse
    {
        let (total, items) = try matching(section, filter: filter, limit: Self.listLimit)
        let dead = section == .dead
        var body = filterForm(section, filter)
        let noun = dead ? "dead letter" : "job"
        body += "<p role=\"status\">\(total) \(noun)\(total == 1 ? "" : "s") match"
        if total > items.count { body += "; the oldest \(items.count) are shown" }
        body += ".</p>"
        if dead && total > 0 {
            let query = filter.query.isEmpty ? "" : "?" + filter.query
            body += "<p><a href=\"/dead/retry-all\(query)\">Retry all \(total) that match…</a> · "
            body += "<a href=\"/dead/drop-all\(query)\">Drop all \(total) that match…</a></p>"
        }
        guard !items.isEmpty else {
            body += "<p class=\"muted\">\(dead ? "No dead letters." : "The queue is empty.")</p>"
            return ConsolePage(
                title: dead ? "Dead letters" : "Queue", section: dead ? .dead : .queue, csrf: csrf, body: body
            )
            .response
        }
        body += "<table><thead><tr><th scope=\"col\">Job</th><th scope=\"col\">Event</th><th scope=\"col\">Route</th>"
        body += "<th scope=\"col\">Action</th><th scope=\"col\">Recipient</th><th scope=\"col\">Attempts</th>"
        body +=
            dead
            ? "<th scope=\"col\">Died</th><th scope=\"col\">Reason</th>"
            : "<th scope=\"col\">Next attempt</th><th scope=\"col\">Waits for</th>"
        body += "</tr></thead><tbody>"
        for stored in items {
            let id = stored.id.description
            body += "<tr><td><a href=\"/\(section.rawValue)/\(id)\">\(id)</a></td>"
            guard let job = stored.job else {
                body += "<td colspan=\"7\" class=\"bad\">its record cannot be read</td></tr>"
                continue
            }
            body += "<td>\(HTML.escape(job.eventName.rawValue))</td><td>\(HTML.escape(job.route))</td>"
            body +=
                "<td>\(HTML.escape(job.action))</td><td>\(HTML.escape(job.orderingKey.map(maskPersonalData) ?? "—"))</td>"
            body += "<td>\(stored.attempts)</td>"
            if let death = stored.death {
                body += "<td>\(Self.time(death.diedAt))</td><td>\(HTML.escape(death.reason))</td>"
            } else {
                let wait = stored.wait.flatMap { $0.explanation(for: job) } ?? "—"
                body += "<td>\(Self.time(job.notBefore))</td><td>\(HTML.escape(wait))</td>"
            }
            body += "</tr>"
        }
        body += "</tbody></table>"
        return ConsolePage(
            title: dead ? "Dead letters" : "Queue", section: dead ? .dead : .queue, csrf: csrf, body: body
        )
        .response
    }

    /// How many jobs match in all, and the first `limit` (0: all) of them.
    func matching(_ section: JobSection, filter: JobListFilter, limit: Int) throws(ConsoleError)
        -> (total: Int, items: [StoredJob])
    {
        let page = context.page
        if filter.recipient == nil {
            let result = try Self.store { () throws(JobStoreError) in try page(section, filter.store, limit) }
            return (result.total, result.items)
        }
        let all = try Self.store { () throws(JobStoreError) in try page(section, filter.store, 0) }.items
            .filter(filter.matches)
        return (all.count, limit == 0 ? all : Array(all.prefix(limit)))
    }

    private func filterForm(_ section: JobSection, _ filter: JobListFilter) -> String {
        let configuration = context.configuration.current.configuration
        func field(_ name: String, _ label: String, _ value: String?, placeholder: String, list: String? = nil)
            -> String
        {
            let listAttribute = list.map { " list=\"\($0)\"" } ?? ""
            return "<div><label for=\"f-\(name)\">\(label)</label><input id=\"f-\(name)\" name=\"\(name)\" "
                + "value=\"\(HTML.escape(value ?? ""))\" placeholder=\"\(placeholder)\"\(listAttribute)></div>"
        }
        var html = "<form class=\"filters\" method=\"get\" action=\"/\(section.rawValue)\" role=\"search\">"
        html += field("route", "Route", filter.store.route, placeholder: "any", list: "routes")
        html += field("action", "Action", filter.store.action, placeholder: "any", list: "actions")
        html += field("since", "Newer than", filter.sinceText, placeholder: "e.g. 2h")
        html += field("recipient", "Recipient", filter.recipient, placeholder: "jane@example.com")
        html += "<div><button type=\"submit\">Filter</button> <a href=\"/\(section.rawValue)\">Clear</a></div></form>"
        html += "<datalist id=\"routes\">"
        html += configuration.rules.routes.map { "<option value=\"\(HTML.escape($0.name))\">" }.joined()
        html += "</datalist><datalist id=\"actions\">"
        html += configuration.actions.keys.sorted().map { "<option value=\"\(HTML.escape($0))\">" }.joined()
        html += "</datalist>"
        return html
    }

    // MARK: One job

    private func detail(_ section: JobSection, _ id: TimeOrderedID, csrf: String) throws(ConsoleError)
        -> HTTPResponse
    {
        let answer = try Self.store { () throws(JobStoreError) in try context.control.show(section, id) }
        let secrets = context.configuration.current.configuration.secrets
        var body = "<table><tbody>"
        for (key, value) in answer.object ?? JSONObject() where key != "payload" {
            var text: String
            switch value {
            case .string(let string): text = string
            case .null: text = "—"
            default: text = String(decoding: value.serialized(), as: UTF8.self)
            }
            if key == "ordering_key" { text = value.string.map(maskPersonalData) ?? "—" }
            if key == "reason" || key == "last_answer" {
                text = RemoteTextRedactor(secrets: secrets).clean(text, limit: 2000)
            }
            body +=
                "<tr><th scope=\"row\">\(HTML.escape(key.replacingUnderscores))</th><td>\(HTML.escape(text))</td></tr>"
        }
        body += "</tbody></table>"
        if let payload = answer["payload"] {
            // What will be sent, personal data masked as in the logs (the CLI's --json shows it whole).
            let text = RemoteTextRedactor(secrets: secrets).redacted(
                RemoteTextRedactor.maskEmails(in: payload.prettyPrinted()))
            body += "<h2>Payload</h2><pre>\(HTML.escape(text))</pre>"
        }
        let base = "/\(section.rawValue)/\(id)"
        body += "<p><a href=\"\(base)/retry\">\(section == .dead ? "Retry" : "Run now")…</a> · "
        body += "<a href=\"\(base)/drop\">Drop…</a></p>"
        return ConsolePage(title: "Job \(id)", section: section == .queue ? .queue : .dead, csrf: csrf, body: body)
            .response
    }

    private func confirmOne(_ section: JobSection, _ id: TimeOrderedID, action: String, csrf: String)
        -> HTTPResponse
    {
        let what =
            action == "drop"
            ? "Drop job \(id) for good? It will not be attempted again."
            : (section == .dead
                ? "Put dead letter \(id) back in the queue as a new series of attempts?" : "Run job \(id) now?")
        let body = """
            <p>\(HTML.escape(what))</p>
            <form method="post" action="/\(section.rawValue)/\(id)/\(action)">\(ConsolePage.csrfField(csrf))
            <button type="submit"\(action == "drop" ? " class=\"danger\"" : "")>\(action == "drop" ? "Drop" : "Retry") \(id)</button>
            <a href="/\(section.rawValue)/\(id)">Cancel</a></form>
            """
        return ConsolePage(title: "Confirm", section: section == .queue ? .queue : .dead, csrf: csrf, body: body)
            .response
    }

    // MARK: All that match

    private func confirmAll(_ section: JobSection, retry: Bool, filter: JobListFilter, csrf: String)
        throws(ConsoleError) -> HTTPResponse
    {
        guard section == .dead else { throw ConsoleError(404, "only dead letters are retried or dropped all at once") }
        let (total, _) = try matching(section, filter: filter, limit: 1)
        let verb = retry ? "Retry" : "Drop"
        let described = filter.isEmpty ? "every dead letter" : "every dead letter that matches the filter"
        let body = """
            <p>\(verb) \(described): \(total) now\(retry ? ", back in the queue as new series of attempts" : ", for good")?</p>
            <form method="post" action="/dead/\(retry ? "retry-all" : "drop-all")">\(ConsolePage.csrfField(csrf))\(filter.hiddenFields)
            <button type="submit"\(retry ? "" : " class=\"danger\"")>\(verb) \(total)</button>
            <a href="/dead\(filter.query.isEmpty ? "" : "?" + filter.query)">Cancel</a></form>
            """
        return ConsolePage(title: "Confirm", section: .dead, csrf: csrf, body: body).response
    }

    private func all(_ section: JobSection, retry: Bool, filter: JobListFilter, csrf: String) throws(ConsoleError)
        -> HTTPResponse
    {
        guard section == .dead else { throw ConsoleError(404, "only dead letters are retried or dropped all at once") }
        let control = context.control
        var done = 0
        var matched = 0
        if retry && filter.recipient == nil {
            // `herald dead retry --all` itself.
            let answer = try Self.store { () throws(JobStoreError) in
                try control.retryDead(matching: filter.store, dryRun: false)
            }
            matched = Int(answer["matched"]?.int ?? 0)
            done = answer["retried"]?.array?.count ?? 0
        } else {
            let ids = try matching(.dead, filter: filter, limit: 0).items.filter { $0.job != nil || !retry }.map(\.id)
            matched = ids.count
            for id in ids {
                do throws(JobStoreError) {
                    _ = retry ? try control.retry(.dead, id) : try control.drop(.dead, id)
                    done += 1
                } catch  where error.kind == .notFound {
                    continue  // retried or dropped by someone else meanwhile
                } catch {
                    throw ConsoleError(error)
                }
            }
        }
        let body =
            "<p class=\"notice\" role=\"status\">\(matched) matched; \(done) \(retry ? "back in the queue" : "dropped").</p>"
            + "<p><a href=\"/dead\">Back to the dead letters</a> · <a href=\"/queue\">The queue</a></p>"
        return ConsolePage(title: retry ? "Retried" : "Dropped", section: .dead, csrf: csrf, body: body).response
    }

    // MARK: Helpers

    static func id(_ text: String, _ section: JobSection) throws(ConsoleError) -> TimeOrderedID {
        guard let id = TimeOrderedID(text) else {
            throw ConsoleError(404, section == .queue ? "no queued job '\(text)'" : "no dead letter '\(text)'")
        }
        return id
    }

    static func store<T>(_ work: () throws(JobStoreError) -> T) throws(ConsoleError) -> T {
        do throws(JobStoreError) {
            return try work()
        } catch {
            throw ConsoleError(error)
        }
    }

    static func time(_ time: WallClock) -> String {
        "<time datetime=\"\(time.rfc3339)\">\(time.rfc3339)</time>"
    }

    /// A retry's or drop's JSON answer in words.
    static func sentence(_ answer: JSON) -> String {
        let id = answer["id"]?.string ?? "?"
        var text: String
        switch answer["result"]?.string {
        case "queued": text = "Dead letter \(id) is back in the queue"
        case "retried": text = "Job \(id) runs now"
        case "dropped": text = "Job \(id) was dropped"
        default: text = "Done"
        }
        if let next = answer["next_attempt_at"]?.string { text += " (next attempt at \(next))" }
        if let note = answer["note"]?.string { text += "; \(note)" }
        return text + "."
    }
}

extension String {
    var replacingUnderscores: String { replacing("_", with: " ") }
}
