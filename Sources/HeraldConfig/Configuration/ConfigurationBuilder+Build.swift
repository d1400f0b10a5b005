import HeraldCore

extension ConfigurationBuilder {
    /// Compiles actions and routes and checks what spans sections (auth against listeners).
    func build(source: String, secrets: [String]) -> HeraldConfiguration {
        checkAuthentication()
        checkConsoleListener()
        checkPrivacyCredentials()
        let (actions, concurrency) = buildActions(secrets: secrets)
        let routes = buildRoutes(actions: actions)
        warnAboutWhatDoesNothing(actions: actions, routes: routes)
        var configuration = HeraldConfiguration(
            source: source, listeners: listeners, stateDirectory: stateDirectory, store: store, ingress: ingress,
            delivery: delivery, log: log, actions: actions, actionConcurrency: concurrency,
            rules: RuleSet(routes: routes), secrets: secrets, tracing: tracing,
            retention: retention, privacyAPI: privacyAPI)
        configuration.console = console
        return configuration
    }

    /// A configuration that loads but cannot do anything: no route at all, or an action no route
    /// uses (a typo in a route's `action:` is an error already; this catches the other end).
    private func warnAboutWhatDoesNothing(actions: [String: any Action], routes: [Route]) {
        guard diagnostics.isEmpty, let root = rootNode else { return }
        if routes.isEmpty {
            diagnostics.warning(
                "no routes: every event is accepted and nothing is done with it (add routes:, or check that include: names your drop-ins)",
                at: root)
        }
        let used = Set(routes.flatMap { $0.steps.map(\.action) })
        for entry in actionNodes where actions[entry.name] != nil && !used.contains(entry.name) {
            diagnostics.warning("action '\(entry.name)' is used by no route", at: entry.key)
        }
    }
}
