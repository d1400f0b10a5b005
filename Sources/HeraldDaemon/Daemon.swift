import Dispatch
import Foundation
import HeraldConfig
import HeraldCore
import HeraldHTTP

/// `herald serve`: wires the loaded configuration to the HTTP server, the ingress and the
/// scheduler, and runs until SIGTERM or SIGINT (graceful stop, design §7). SIGHUP reloads.
public final class Daemon: Sendable {
    /// How long running deliveries may take to finish after SIGTERM.
    public static let stopDeadline: Duration = .seconds(10)

    private let loader: ConfigLoader
    private let configPath: String?
    private let configuration: HeraldConfiguration
    private let logger: Logger

    public init(configuration: HeraldConfiguration, loader: ConfigLoader, configPath: String?) {
        self.configuration = configuration
        self.loader = loader
        self.configPath = configPath
        self.logger = Daemon.makeLogger(configuration.log)
    }

    static func makeLogger(_ settings: LogSettings) -> Logger {
        let handler = StreamLogHandler(
            format: settings.format == .json ? .json : .logfmt, showPersonalData: settings.showPersonalData)
        return Logger(handler: handler, level: settings.level)
    }

    /// Runs the daemon; returns the process exit code.
    public func run() async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        do {
            try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        } catch {
            logger.error("cannot create state_dir", ["path": .string(configuration.stateDirectory), "reason": .string("\(error)")])
            return 1
        }
        let scheduler = Scheduler(configuration: configuration, logger: logger)
        let ids = TimeOrderedIDGenerator()
        let responder = IngressResponder(configuration: configuration, intake: scheduler, ids: ids, logger: logger)
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: Daemon.serverConfiguration(configuration), responder: responder)
            try server.start()
        } catch {
            logger.error("cannot listen", ["reason": .string("\(error)")])
            return 1
        }
        for address in server.boundAddresses {
            logger.info("listening", ["address": .string(address.description)])
        }
        logger.info(
            "herald ready",
            ["config": .string(configuration.source), "routes": .int(configuration.rules.routes.count),
             "actions": .int(configuration.actions.count), "state_dir": .string(configuration.stateDirectory)])

        let signals = SignalWatcher(signals: [SIGTERM, SIGINT, SIGHUP]) { [logger, loader, configPath] signal in
            if signal == SIGHUP {
                Daemon.reload(loader: loader, path: configPath, responder: responder, scheduler: scheduler, logger: logger)
                return
            }
            logger.info("stopping", ["signal": .int(Int(signal))])
            server.stop(deadline: Daemon.stopDeadline)
            scheduler.stop(deadline: Daemon.stopDeadline)
        }
        await scheduler.run()
        await server.waitUntilStopped()
        signals.cancel()
        logger.info("stopped")
        return 0
    }

    /// Validates the whole new configuration, then applies it; keeps the old one on any error.
    static func reload(loader: ConfigLoader, path: String?, responder: IngressResponder, scheduler: Scheduler, logger: Logger) {
        let result = loader.load(path: path)
        guard let configuration = result.configuration else {
            for diagnostic in result.diagnostics {
                logger.error("reload refused; the running configuration stays", ["problem": .string(diagnostic.description)])
            }
            return
        }
        responder.apply(configuration)
        scheduler.apply(configuration)
        logger.info("configuration reloaded", ["routes": .int(configuration.rules.routes.count)])
    }

    static func serverConfiguration(_ configuration: HeraldConfiguration) -> HTTPServerConfiguration {
        let limits = configuration.ingress.limits
        var server = HTTPServerConfiguration(
            listeners: configuration.listeners.map { address in
                switch address {
                case .tcp(let host, let port): return .tcp(host: host, port: port)
                case .unix(let path): return .unix(path: path)
                }
            })
        server.limits = HTTPLimits(
            maxRequestLineBytes: limits.maxRequestLineBytes, maxHeaderBytes: limits.maxHeaderBytes,
            maxHeaderFields: limits.maxHeaderFields, maxBodyBytes: limits.maxBodyBytes)
        server.maxConnections = limits.maxConnections
        server.headerTimeout = limits.headerTimeout
        server.bodyTimeout = limits.bodyTimeout
        server.idleTimeout = limits.idleTimeout
        return server
    }
}
