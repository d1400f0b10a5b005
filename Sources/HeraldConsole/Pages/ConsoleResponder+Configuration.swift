import HeraldCommands
import HeraldConfig
import HeraldCore
import HeraldHTTP

/// The configuration in force: when it was loaded, its warnings, the route tests' results, a
/// summary of listeners, store, actions and routes, and the file with its secrets as `<secret>`.
extension ConsoleResponder {
    func configuration(csrf: String) -> HTTPResponse {
        let loaded = context.configuration.current
        let configuration = loaded.configuration
        var body = "<p>Loaded from <code>\(HTML.escape(configuration.source))</code> at \(Self.time(loaded.loadedAt)); "
        body += "a reload (SIGHUP) replaces it.</p>"
        body += "<h2>Warnings</h2>"
        body +=
            loaded.warnings.isEmpty
            ? "<p class=\"ok\">None.</p>" : "<pre class=\"warn\">\(HTML.escape(loaded.warnings))</pre>"
        body += "<h2>Route tests</h2>"
        let suite = RouteTestSuite.run(configuration)
        if suite.isEmpty {
            body += "<p class=\"muted\">No route tests (<code>*.test.yaml</code> beside the configuration).</p>"
        } else {
            let passed = suite.failed == 0 && suite.problems == nil
            body += "<p class=\"\(passed ? "ok" : "bad")\">\(suite.passed) passed, \(suite.failed) failed.</p>"
            if let problems = suite.problems { body += "<pre class=\"bad\">\(HTML.escape(problems))</pre>" }
            body += "<pre>\(HTML.escape(suite.render(verbose: true)))</pre>"
        }
        body += "<h2>Summary</h2><table><tbody>"
        body += row("Listeners", configuration.listeners.map(\.description).joined(separator: ", "))
        body += row(
            "Store",
            configuration.store.isPostgres
                ? "postgres (<secret> DSN)" : "local spool in \(configuration.stateDirectory)")
        body += row("Ingress credentials", configuration.ingress.credentials.map(Self.describe).joined(separator: ", "))
        body += row(
            "Retry schedule", configuration.delivery.retrySchedule.map(\.compactDescription).joined(separator: ", "))
        body += row("Max age", configuration.delivery.maxAge.compactDescription)
        body += row("Concurrency", String(configuration.delivery.concurrency))
        body += "</tbody></table>"
        body += "<h2>Actions</h2><table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Plugin</th>"
        body += "<th scope=\"col\">Concurrency</th></tr></thead><tbody>"
        for name in configuration.actions.keys.sorted() {
            body += "<tr><td>\(HTML.escape(name))</td><td>\(HTML.escape(configuration.actions[name]?.kind ?? "?"))</td>"
            body += "<td>\(configuration.actionConcurrency[name].map(String.init) ?? "—")</td></tr>"
        }
        body += "</tbody></table>"
        body += "<h2>Routes</h2><table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Events</th>"
        body += "<th scope=\"col\">Does</th><th scope=\"col\">Where</th></tr></thead><tbody>"
        for route in configuration.rules.routes {
            let does =
                route.denial != nil ? "deny" : route.steps.map(\.action).joined(separator: ", ")
            body += "<tr><td>\(HTML.escape(route.name))</td>"
            body += "<td>\(HTML.escape(route.events.map(\.description).joined(separator: ", ")))</td>"
            body += "<td>\(HTML.escape(does))</td><td>\(HTML.escape(route.location.description))</td></tr>"
        }
        body += "</tbody></table>"
        body += "<h2>File</h2><pre>\(HTML.escape(loaded.text))</pre>"
        return ConsolePage(title: "Configuration", section: .configuration, csrf: csrf, body: body).response
    }

    private func row(_ name: String, _ value: String) -> String {
        "<tr><th scope=\"row\">\(HTML.escape(name))</th><td>\(HTML.escape(value.isEmpty ? "—" : value))</td></tr>"
    }

    private static func describe(_ credential: IngressCredential) -> String {
        switch credential {
        case .apiKey(let name, _, let inCookie): "api_key \(name) in \(inCookie ? "cookie" : "header"): <secret>"
        case .basicAuth(let user, _): "basic_auth \(user): <secret>"
        }
    }
}
