import HeraldConfig
import HeraldCore

/// The summary `herald check` prints for a valid configuration: listeners, the job store,
/// actions, routes.
package enum CheckReport {
    package static func render(_ configuration: HeraldConfiguration) -> String {
        var lines = ["\(configuration.source): OK"]
        lines.append("listeners:")
        for listener in configuration.listeners {
            lines.append("  \(listener)")
        }
        let auth = configuration.ingress.credentials.map { credential -> String in
            switch credential {
            case .apiKey(let name, _, let inCookie):
                return inCookie ? "api_key cookie \(name)" : "api_key header \(name)"
            case .basicAuth(let user, _): return "basic_auth user \(user)"
            }
        }
        lines.append(
            "ingress auth: \(auth.isEmpty ? "none (insecure_no_auth, loopback only)" : auth.joined(separator: "; "))")
        if let mandrill = configuration.ingress.mandrillWebhooks {
            let keys =
                mandrill.keys.isEmpty
                ? "no key yet: only Mandrill's URL check is answered" : "\(mandrill.keys.count) key(s)"
            lines.append(
                "Mandrill events: /v1/mandrill/events, signed for \(configuration.redacting(mandrill.url)); \(keys)")
        }
        lines.append("state_dir: \(configuration.stateDirectory)")
        switch configuration.store {
        case .local:
            lines.append("store: local (the spool in \(configuration.stateDirectory)/spool)")
        case .postgres(let settings):
            // The DSN is a secret when it holds a password: not shown.
            lines.append(
                "store: postgres (lease \(settings.lease.compactDescription), poll_interval "
                    + "\(settings.pollInterval.compactDescription), max_batch \(settings.maxBatch)); "
                    + "run herald store migrate before the first start")
        }
        if let tracing = configuration.tracing {
            // The endpoint without user info or query; header values are never shown.
            let endpoint = tracing.endpoint
            let port = endpoint.port.map { ":\($0)" } ?? ""
            let target = "\(endpoint.scheme ?? "http")://\(endpoint.host ?? "")\(port)\(endpoint.path)"
            let interval = tracing.interval.compactDescription
            lines.append(
                "tracing: spans of sampled traces to \(configuration.redacting(target)) (batch_size "
                    + "\(tracing.batchSize), buffer \(tracing.buffer), interval \(interval))")
        }
        let retention = configuration.retention
        let keepers = configuration.personalDataKeepers.map(\.name)
        lines.append(
            "retention: dead letters \(retention.deadLetters.compactDescription), outbox files "
                + "\(retention.outbox.compactDescription)"
                + (keepers.isEmpty ? "" : " (\(keepers.joined(separator: ", ")))"))
        if let privacy = configuration.privacyAPI {
            lines.append(
                "privacy_api: POST /v1/personal-data/forget (\(privacy.count) credential\(privacy.count == 1 ? "" : "s") of its own)"
            )
        }
        lines.append("actions:")
        for name in configuration.actions.keys.sorted() {
            guard let action = configuration.actions[name] else { continue }
            lines.append("  \(name): \(action.kind) — \(configuration.redacting(action.summary))")
        }
        lines.append("routes:")
        for route in configuration.rules.routes {
            let events = route.events.map(\.description).joined(separator: ", ")
            let actions = route.denial != nil ? "deny" : route.steps.map(\.action).joined(separator: ", ")
            let methods = route.methods.map { " (methods: \($0.joined(separator: ", ")))" } ?? ""
            lines.append("  \(route.name): [\(events)]\(methods) → \(actions)\(route.stop ? " (stop)" : "")")
            if route.denial != nil {
                lines.append("    " + denialNote(route))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where Kratos shows the denial of each event the route denies, with the route's position.
    private static func denialNote(_ route: Route) -> String {
        var form: [String] = []
        var page: [String] = []
        for name in route.events.flatMap(\.knownMatches) {
            if case .form = Denial.visibility(of: name) {
                form.append(name.rawValue)
            } else {
                page.append(name.rawValue)
            }
        }
        var parts: [String] = []
        if !form.isEmpty { parts.append("Kratos shows it on the form (\(form.joined(separator: ", ")))") }
        if !page.isEmpty { parts.append("as an error page, message not shown (\(page.joined(separator: ", ")))") }
        return parts.joined(separator: "; ") + " — \(route.location)"
    }
}
