import Dispatch
import FoundationEssentials
import Glibc
import HeraldConfig
import HeraldCore
import HeraldHTTP
import HeraldJobs
import HeraldPostgres
import HeraldSpool
import Synchronization

/// `herald serve`: wires the loaded configuration to the HTTP server, the ingress and the
/// scheduler, and runs until SIGTERM or SIGINT (graceful stop, design §7). SIGHUP reloads.
package final class Daemon: Sendable {
    /// How long running deliveries may take to finish after SIGTERM.
    package static let stopDeadline: Duration = .seconds(10)

    private let loader: ConfigLoader
    private let configPath: String?
    private let configuration: HeraldConfiguration
    private let logger: Logger
    private let logHandler: StreamLogHandler
    /// The load's warnings, rendered (the console shows them).
    private let warnings: String

    package init(configuration: HeraldConfiguration, loader: ConfigLoader, configPath: String?, warnings: String = "") {
        self.configuration = configuration
        self.warnings = warnings
        self.loader = loader
        self.configPath = configPath
        let settings = configuration.log
        logHandler = StreamLogHandler(
            format: settings.format == .json ? .json : .logfmt, showPersonalData: settings.showPersonalData)
        logger = Logger(handler: logHandler, level: settings.level)
    }

    /// Runs the daemon; returns the process exit code.
    package func run() async -> Int32 {
        logHandler.start()
        signal(SIGPIPE, SIG_IGN)
        ChildReaper.startIfProcessOne(logger: logger)
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        } catch {
            logger.error(
                "cannot create state_dir",
                ["path": .string(configuration.stateDirectory), "reason": .string("\(error)")])
            logger.handler.flush()
            return 1
        }
        switch configuration.store {
        case .local:
            let spool: Spool
            do throws(SpoolError) {
                spool = try Spool.open(stateDirectory: configuration.stateDirectory, logger: logger)
            } catch {
                logger.error(
                    "cannot open the spool",
                    ["state_dir": .string(configuration.stateDirectory), "reason": .string("\(error)")])
                logger.handler.flush()
                return 1
            }
            spool.startScheduling()
            // Recovery and the ready queue leave freed buffers in malloc's arenas (a million jobs:
            // tens of MB); give them back before serving.
            releaseFreedMemory()
            // The spool's threads run from `open` until `close`; as a service it waits for the stop.
            let stopped = Latch()
            let service = LifecycleService(
                "job store", run: { await stopped.wait() }, stop: { _ in stopped.open() },
                close: { [logger] in
                    do throws(SpoolError) {
                        try await spool.flush()
                    } catch {
                        logger.error("spool flush failed at stop", ["reason": .string("\(error)")])
                    }
                    spool.close()
                })
            return await serve(spool, service: service, controlSocket: true)
        case .postgres(let settings):
            let store: PostgresStore
            do throws(PostgresError) {
                store = try PostgresStore.open(settings: settings, logger: logger)
            } catch {
                logger.error("cannot use the database", ["reason": .string(settings.redacted(error.description))])
                logger.handler.flush()
                return 78
            }
            let service = LifecycleService("job store", run: { await store.run() }, stop: { _ in store.stop() })
            return await serve(store, service: service, controlSocket: false)
        }
    }

    /// Serves with `store`: its service first, then the executor, retention, the control socket
    /// (local store only; PostgreSQL's commands work on the database) and the listener.
    private func serve<Store: JobStore>(_ store: Store, service: LifecycleService, controlSocket: Bool) async -> Int32 {
        let metrics = HeraldMetrics()
        metrics.prepare(for: configuration)
        metrics.observe(store)
        let running = RunningConfiguration(configuration)
        let exporter = configuration.tracing.map {
            SpanExporter(settings: $0, metrics: SpanMetrics(registry: metrics.registry), logger: logger)
        }
        let console = configuration.console.map {
            ConsoleService(
                settings: $0, configuration: configuration, warnings: warnings, store: store, metrics: metrics)
        }
        // With the console, the actions' health sees every attempt first and passes it on.
        let observer: any DeliveryObserver = console.map { $0.health } ?? metrics
        let executor = DeliveryExecutor(
            store: store, settings: { running.current.delivery }, logger: logger, observer: observer,
            spans: exporter)
        let systemd = SystemdService(logger: logger)
        let ids = TimeOrderedIDGenerator()
        let dedupe = DedupeIndex { key, now in store.seen(key, now: now) }
        let control = JobControl(
            store: store, keepers: { running.current.configuration.personalDataKeepers }, audit: logger)
        let responder = IngressResponder(
            running: running, intake: store, dedupe: dedupe, ids: ids, logger: logger, metrics: metrics,
            recentEvents: console?.events, spans: exporter, personalData: control)
        let server: HTTPServer
        do {
            var serverConfiguration = Daemon.serverConfiguration(configuration)
            serverConfiguration.responseObserver = { metrics.httpResponse(status: $0) }
            try systemd.adoptSockets(into: &serverConfiguration)
            server = HTTPServer(configuration: serverConfiguration, responder: responder)
            try server.start()
            try console?.start()
        } catch {
            logger.error("cannot listen", ["reason": .string("\(error)")])
            service.stop(.now)
            await service.close()
            logger.handler.flush()
            return 1
        }
        let retention = RetentionSweeper(store: store, running: running, metrics: metrics, logger: logger)
        let controlServer =
            controlSocket
            ? Daemon.startControl(stateDirectory: configuration.stateDirectory, control: control, logger: logger) : nil
        let exposed = SystemdService.exposed(server.boundAddresses)
        if configuration.ingress.insecureNoAuth && !exposed.isEmpty {
            logger.error(
                "insecure_no_auth is only allowed on loopback or unix sockets",
                ["exposed": .string(exposed.map(\.description).joined(separator: ","))])
            server.stop(deadline: .now)
            controlServer?.stop(deadline: .now)
            service.stop(.now)
            await service.close()
            logger.handler.flush()
            return 78
        }
        // In dependency order; a stop runs in reverse: the listener first (the requests it has
        // still reach the store), the store, and the span exporter last (it sends the spans of
        // everything before it).
        var lifecycle: [LifecycleService] = []
        if let exporter {
            lifecycle.append(
                LifecycleService("span exporter", run: { await exporter.run() }, stop: { exporter.stop(deadline: $0) }))
        }
        lifecycle += [
            service,
            LifecycleService("delivery", run: { await executor.run() }, stop: { executor.stop(deadline: $0) }),
            LifecycleService("retention", run: { await retention.run() }, stop: { _ in retention.stop() }),
        ]
        if let controlServer {
            lifecycle.append(
                LifecycleService(
                    "control socket", run: { try? await controlServer.run() },
                    stop: { controlServer.stop(deadline: $0) }))
        }
        if let console { lifecycle.append(console.lifecycle) }
        lifecycle.append(
            LifecycleService("listener", run: { try? await server.run() }, stop: { server.stop(deadline: $0) }))
        let services = ServiceGroup(lifecycle, logger: logger, stopDeadline: Daemon.stopDeadline)
        let reload = ConfigurationReload(
            loader: loader, path: configPath, running: running, started: configuration, logger: logger)
        // Signals are watched before readiness is announced: a SIGHUP or SIGTERM sent the moment
        // systemd (or a test) hears READY=1 must not be lost.
        let startedTracing = configuration.tracing
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT, SIGHUP]) { [logger, configPath] signal in
            if signal == SIGHUP {
                systemd.reloading()
                let result = reload.perform()
                executor.wake()
                metrics.configurationReloaded(applied: result.configuration != nil)
                if let applied = result.configuration {
                    metrics.prepare(for: applied)
                    console?.reloaded(applied, warnings: result.renderedWarnings)
                    if applied.tracing != startedTracing {
                        logger.warning("tracing: changes take effect when herald restarts")
                    }
                    systemd.reloaded(applied)
                } else {
                    systemd.reloadRefused(problems: result.diagnostics.count, path: configPath)
                }
                return
            }
            logger.info("stopping", ["signal": .int(Int(signal))])
            systemd.stopping()
            services.shutdown(deadline: .now + Daemon.stopDeadline)
        }
        for address in server.boundAddresses {
            logger.info("listening", ["address": .string(address.description)])
        }
        for address in console?.server.boundAddresses ?? [] {
            logger.info("console listening", ["console_address": .string(address.description)])
        }
        logger.info(
            "herald ready",
            [
                "config": .string(configuration.source), "routes": .int(configuration.rules.routes.count),
                "actions": .int(configuration.actions.count), "state_dir": .string(configuration.stateDirectory),
            ])
        systemd.ready(
            listening: server.boundAddresses, configuration: configuration,
            checks: [
                SystemdWatchdog.Check("HTTP event loop", isAlive: server.isResponsive),
                SystemdWatchdog.Check("scheduler", isAlive: executor.isResponsive),
            ])

        let cleanly = await services.run()
        signals.cancel()
        logger.info(cleanly ? "stopped" : "stopped after a service ended on its own")
        logger.handler.flush()
        return cleanly ? 0 : 1
    }

    /// Serves `herald queue|dead` on `state_dir/control.sock` (mode 0600: only the daemon's user).
    /// Without it the daemon still runs; the CLI then says it cannot reach the daemon.
    static func startControl(stateDirectory: String, control: any QueueControl, logger: Logger) -> HTTPServer? {
        let path = JobControlRequest.socketPath(stateDirectory: stateDirectory)
        var configuration = HTTPServerConfiguration(listeners: [.unix(path: path)], maxConnections: 16)
        configuration.unixSocketMode = 0o600
        let server = HTTPServer(configuration: configuration, responder: ControlResponder(control: control))
        do {
            try server.start()
        } catch {
            logger.error(
                "cannot open the control socket; herald queue and herald dead will not reach this daemon",
                ["path": .string(path), "reason": .string("\(error)")])
            return nil
        }
        return server
    }

    static func serverConfiguration(_ configuration: HeraldConfiguration) -> HTTPServerConfiguration {
        let limits = configuration.ingress.limits
        var server = HTTPServerConfiguration(
            listeners: configuration.listeners.map { address in
                switch address {
                case .tcp(let host, let port): return .tcp(host: host, port: UInt16(port))
                case .unix(let path): return .unix(path: path)
                }
            })
        server.limits = HTTPLimits(
            maxRequestLineLength: limits.maxRequestLineBytes, maxHeaderBlockSize: limits.maxHeaderBytes,
            maxHeaderCount: limits.maxHeaderFields, maxBodySize: limits.maxBodyBytes)
        if let mandrill = configuration.ingress.mandrillWebhooks {
            // Mandrill posts up to 1,000 events at once.
            server.limits.maxBodySizeByPath["/v1/mandrill/events"] = mandrill.maxBodyBytes
        }
        server.maxConnections = limits.maxConnections
        server.headerReadTimeout = limits.headerTimeout
        server.bodyReadTimeout = limits.bodyTimeout
        server.keepAliveTimeout = limits.idleTimeout
        return server
    }
}
