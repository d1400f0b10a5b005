import HeraldConfig
import HeraldConsole
import HeraldCore
import HeraldHTTP
import HeraldJobs

/// The web console's part of the daemon (`console:`, docs/console.md): its own listener with its
/// own credentials, the in-memory records it shows (activity, actions' health, recent events),
/// and what a reload changes in them. Built only when the configuration turns it on.
struct ConsoleService: Sendable {
    let server: HTTPServer
    let activity: ActivityRing
    let health: ActionHealth
    let events: RecentEvents
    let loaded: LoadedConfiguration

    /// The console for `store`, reading the metrics' totals and passing the executor's
    /// observations on to `metrics`. Not listening yet (`start`).
    init<Store: JobStore>(
        settings: ConsoleSettings, configuration: HeraldConfiguration, warnings: String, store: Store,
        metrics: HeraldMetrics
    ) {
        activity = ActivityRing { metrics.activityTotals }
        health = ActionHealth(passingTo: metrics, secrets: configuration.secrets)
        events = RecentEvents(capacity: settings.recentEvents)
        loaded = LoadedConfiguration(configuration, warnings: warnings)
        let context = ConsoleContext(
            page: { section, filter, limit throws(JobStoreError) in
                try store.page(section, filter: filter, limit: limit)
            },
            control: JobControl(store: store), depth: { store.depth }, configuration: loaded, activity: activity,
            health: health, events: events)
        let responder = ConsoleResponder(
            context: context,
            sessions: ConsoleSessions(
                password: settings.password, ttl: settings.sessionTTL, secureCookie: settings.secureCookie),
            hosts: Self.hosts(settings))
        var server = HTTPServerConfiguration(listeners: [Self.address(settings.listener)], maxConnections: 64)
        // A pasted playground payload is the largest request; the ingress' own limit bounds it.
        server.limits.maxBodySize = configuration.ingress.limits.maxBodyBytes
        self.server = HTTPServer(configuration: server, responder: responder)
    }

    func start() throws(HTTPError) {
        try server.start()
        activity.start()
    }

    /// The daemon's lifecycle entry: serves until stopped.
    var lifecycle: LifecycleService {
        LifecycleService(
            "console", run: { try? await server.run() },
            stop: { [activity, server] deadline in
                activity.stop()
                server.stop(deadline: deadline)
            })
    }

    /// A reload put `result`'s configuration in force.
    func reloaded(_ configuration: HeraldConfiguration, warnings: String) {
        loaded.replace(configuration, warnings: warnings)
        health.update(secrets: configuration.secrets)
    }

    /// The names the console answers to; none to check on a unix socket (a proxy's).
    private static func hosts(_ settings: ConsoleSettings) -> ConsoleHosts? {
        if case .unix = settings.listener { return nil }
        return ConsoleHosts(names: settings.hosts)
    }

    private static func address(_ listener: ListenAddress) -> HTTPListenAddress {
        switch listener {
        case .tcp(let host, let port): .tcp(host: host, port: UInt16(port))
        case .unix(let path): .unix(path: path)
        }
    }
}
