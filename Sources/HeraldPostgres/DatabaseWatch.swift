import FoundationEssentials
import HeraldConfig
import HeraldCore
import HeraldJobs
import Synchronization

/// `LISTEN herald_jobs` on a connection of its own, on a thread of its own: rings the executor
/// on every notification (another instance's ingress stored jobs), and keeps `DatabaseHealth`
/// true to what it sees. Started by `run()`, inside the daemon's service group; `stop()` ends it
/// within `checkInterval`.
final class DatabaseWatch: Sendable {
    /// How long one wait for notifications lasts before the loop looks at `stop` again.
    static let checkInterval: Duration = .milliseconds(250)

    private let settings: PostgresStoreSettings
    private let health: DatabaseHealth
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let doorbell = Mutex<Doorbell?>(nil)

    init(settings: PostgresStoreSettings, health: DatabaseHealth, logger: Logger) {
        self.settings = settings
        self.health = health
        self.logger = logger
    }

    /// Rings `doorbell` on notifications from now on.
    func deliverWakeUps(to doorbell: Doorbell) {
        self.doorbell.withLock { $0 = doorbell }
    }

    /// Watches until `stop()`, on a thread of its own.
    func run() async {
        await DedicatedThread.run(named: "herald-postgres-watch") { [self] in loop() }
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
    }

    private var isStopping: Bool { stopping.load(ordering: .acquiring) }

    private func loop() {
        while !isStopping {
            do throws(PostgresError) {
                let connection = try PostgresConnection(
                    dsn: settings.dsn, connectTimeout: settings.connectTimeout,
                    applicationName: PostgresConnection.serveApplicationName)
                try connection.listen("herald_jobs")
                if health.reached() {
                    logger.info("database reachable again")
                }
                // Whatever was stored while the watch was away: look now.
                doorbell.withLock { $0 }?.ring()
                while !isStopping {
                    if try !connection.waitForNotifications(upTo: Self.checkInterval).isEmpty {
                        doorbell.withLock { $0 }?.ring()
                    }
                    guard connection.isHealthy else {
                        throw PostgresError(.connection, "lost the connection to the database")
                    }
                }
            } catch {
                let reason = settings.redacted(error.description)
                if health.lost(reason) {
                    logger.error(
                        "the database cannot be reached; events are answered 503 until it can",
                        ["reason": .string(reason)])
                }
                if !isStopping { NativeThread.sleep(for: DatabaseHealth.reconnectInterval) }
            }
        }
    }
}
