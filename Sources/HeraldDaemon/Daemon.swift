import Dispatch
import Foundation
import HeraldConfig
import HeraldCore
import HeraldHTTP
import HeraldSpool

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
            logger.handler.flush()
            return 1
        }
        let spool: Spool
        do throws(SpoolError) {
            spool = try Spool.open(stateDirectory: configuration.stateDirectory, logger: logger)
        } catch {
            logger.error("cannot open the spool", ["state_dir": .string(configuration.stateDirectory), "reason": .string("\(error)")])
            logger.handler.flush()
            return 1
        }
        let statistics = spool.statistics
        logger.info(
            "spool open",
            ["queued": .int(statistics.depth), "dead_letters": .int(statistics.deadLetters),
             "segments": .int(statistics.segments), "bytes": .int(Int(statistics.bytesOnDisk))])
        let scheduler = Scheduler(configuration: configuration, spool: spool, logger: logger)
        let ids = TimeOrderedIDGenerator()
        let dedupe = DedupeIndex { key, now in scheduler.seen(key, now: now) }
        let responder = IngressResponder(
            configuration: configuration, intake: scheduler, dedupe: dedupe, ids: ids, logger: logger)
        let server: HTTPServer
        do {
            server = HTTPServer(configuration: Daemon.serverConfiguration(configuration), responder: responder)
            try server.start()
        } catch {
            logger.error("cannot listen", ["reason": .string("\(error)")])
            spool.close()
            logger.handler.flush()
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
            server.stop(deadline: .now + Daemon.stopDeadline)
            scheduler.stop(deadline: Daemon.stopDeadline)
        }
        await scheduler.run()
        try? await server.run()
        signals.cancel()
        do throws(SpoolError) {
            try await spool.flush()
        } catch {
            logger.error("spool flush failed at stop", ["reason": .string("\(error)")])
        }
        spool.close()
        logger.info("stopped")
        logger.handler.flush()
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
                case .tcp(let host, let port): return .tcp(host: host, port: UInt16(port))
                case .unix(let path): return .unix(path: path)
                }
            })
        server.limits = HTTPLimits(
            maxRequestLineLength: limits.maxRequestLineBytes, maxHeaderBlockSize: limits.maxHeaderBytes,
            maxHeaderCount: limits.maxHeaderFields, maxBodySize: limits.maxBodyBytes)
        server.maxConnections = limits.maxConnections
        server.headerReadTimeout = limits.headerTimeout
        server.bodyReadTimeout = limits.bodyTimeout
        server.keepAliveTimeout = limits.idleTimeout
        return server
    }
}
