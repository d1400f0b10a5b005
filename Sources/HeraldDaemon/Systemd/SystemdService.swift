import FoundationEssentials
import HeraldConfig
import HeraldCore
import HeraldHTTP
import Synchronization

/// Everything `herald serve` tells systemd, and the sockets it takes from it (design §9): the
/// daemon calls one method at each step of its life; outside systemd the messages go nowhere and
/// socket activation finds nothing.
final class SystemdService: Sendable {
    private let environment: [String: String]
    private let notifier: SystemdNotifier?
    private let logger: Logger
    private let watchdog = Mutex<SystemdWatchdog?>(nil)

    init(logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        self.logger = logger
        if let path = environment["NOTIFY_SOCKET"], !path.isEmpty {
            do {
                notifier = try SystemdNotifier(path: path)
            } catch {
                logger.warning(
                    "cannot notify systemd", ["socket": .string(path), "reason": .string(error.description)])
                notifier = nil
            }
        } else {
            notifier = nil
        }
    }

    /// Replaces the configured listeners with the sockets systemd passed, if it passed any.
    ///
    /// - Throws: `SystemdError` when the variables or descriptors are unusable.
    func adoptSockets(into server: inout HTTPServerConfiguration) throws(SystemdError) {
        let sockets = try SocketActivation.take(environment)
        guard !sockets.isEmpty else { return }
        logger.info(
            "using sockets passed by systemd instead of listen:",
            [
                "sockets": .string(sockets.map { "\($0.name)=fd:\($0.fd)" }.joined(separator: ",")),
                "configured": .string(server.listeners.map(\.description).joined(separator: ",")),
            ])
        server.listeners = sockets.map(\.address)
    }

    /// The addresses of `bound` that other machines can reach (not loopback, not unix), for
    /// refusing `insecure_no_auth` on sockets systemd passed.
    static func exposed(_ bound: [HTTPListenAddress]) -> [HTTPListenAddress] {
        bound.filter { address in
            switch address {
            case .tcp(let host, _): !(host.hasPrefix("127.") || host == "::1" || host == "localhost")
            case .unix: false
            case .fileDescriptor: true
            }
        }
    }

    /// `READY=1` once listening with the jobs store open, then starts the watchdog when systemd
    /// asked for one.
    func ready(listening: [HTTPListenAddress], configuration: HeraldConfiguration, checks: [SystemdWatchdog.Check]) {
        guard let notifier else { return }
        notifier.ready(
            status: "ready: listening on \(listening.map(\.description).joined(separator: ", ")); "
                + SystemdService.summary(configuration))
        do {
            guard let interval = try SystemdWatchdog.interval(environment: environment) else { return }
            let dog = SystemdWatchdog(notifier: notifier, interval: interval, checks: checks, logger: logger)
            watchdog.withLock { $0 = dog }
            dog.start()
            logger.info("systemd watchdog on", ["interval_ms": .milliseconds(interval)])
        } catch {
            logger.warning("systemd watchdog off", ["reason": .string(error.description)])
        }
    }

    /// `RELOADING=1` as a SIGHUP reload begins.
    func reloading() {
        notifier?.reloading(status: "reloading the configuration")
    }

    /// `READY=1` as a reload ends, with a status saying whether it was applied.
    func reloaded(_ configuration: HeraldConfiguration) {
        notifier?.ready(status: "ready: configuration reloaded; " + SystemdService.summary(configuration))
    }

    /// `READY=1` as a refused reload ends: the running configuration stays.
    func reloadRefused(problems: Int, path: String?) {
        let file = path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "the configuration"
        notifier?.ready(
            status:
                "reload refused: \(problems) problem\(problems == 1 ? "" : "s") in \(file); running configuration kept")
    }

    /// `STOPPING=1` on SIGTERM or SIGINT; the watchdog stops with it.
    func stopping() {
        watchdog.withLock { $0.take() }?.stop()
        notifier?.stopping(status: "stopping: finishing requests and deliveries in flight")
    }

    private static func summary(_ configuration: HeraldConfiguration) -> String {
        let routes = configuration.rules.routes.count
        let actions = configuration.actions.count
        return "\(routes) route\(routes == 1 ? "" : "s"), \(actions) action\(actions == 1 ? "" : "s")"
    }
}
