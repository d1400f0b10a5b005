import Dispatch
import HeraldConfig
import HeraldCore

/// One connection to the job store, used from one serial queue: every call hops there and back,
/// so no Swift task blocks on the database. Reconnects on the next call after a failure, and
/// after the database came back from an outage (`DatabaseHealth.generation`), so that no call
/// meets a connection that died with the database.
final class DatabaseQueue: Sendable {
    private let queue: DispatchQueue
    private let settings: PostgresStoreSettings
    /// The watch's view of the database; nil for a command that runs without one (`herald queue`).
    private let health: DatabaseHealth?
    /// Statements run on each new connection (session settings).
    private let session: [String]
    /// What `pg_stat_activity` shows: `herald serve` for the daemon's connections, by which the
    /// commands tell whether any instance runs.
    private let applicationName: String
    // Touched only on `queue`.
    private nonisolated(unsafe) var table: PostgresJobTable?
    private nonisolated(unsafe) var generation: UInt64 = 0
    /// While the watch says the database is away, calls fail at once (no call waits for a
    /// connect timeout); one connection attempt is still made every reconnect interval.
    private nonisolated(unsafe) var lastAttempt: ContinuousClock.Instant?

    init(
        settings: PostgresStoreSettings, label: String, health: DatabaseHealth?, session: [String] = [],
        applicationName: String = PostgresConnection.serveApplicationName
    ) {
        self.settings = settings
        self.queue = DispatchQueue(label: label)
        self.health = health
        self.session = session
        self.applicationName = applicationName
    }

    /// Runs `work` on the queue's connection, without blocking the caller's thread.
    func run<T: Sendable>(_ work: @escaping @Sendable (PostgresJobTable) throws(PostgresError) -> T) async
        -> Result<T, PostgresError>
    {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.perform(work))
            }
        }
    }

    /// Runs `work` and waits for it: for callers on a thread of their own (the CLI).
    func runAndWait<T>(_ work: (PostgresJobTable) throws(PostgresError) -> T) -> Result<T, PostgresError> {
        queue.sync { perform(work) }
    }

    private func perform<T>(_ work: (PostgresJobTable) throws(PostgresError) -> T) -> Result<T, PostgresError> {
        do throws(PostgresError) {
            let current = health?.generation ?? 0
            if table == nil || table?.connection.isHealthy == false || generation < current {
                table = nil
                if health?.isKnownDown == true, let lastAttempt,
                    ContinuousClock.now - lastAttempt < DatabaseHealth.reconnectInterval
                {
                    throw PostgresError(.connection, health?.problem ?? "the database cannot be reached")
                }
                lastAttempt = .now
                let connection = try PostgresConnection(
                    dsn: settings.dsn, connectTimeout: settings.connectTimeout,
                    applicationName: applicationName)
                for statement in session { try connection.execute(statement) }
                table = PostgresJobTable(connection: connection)
                generation = current
            }
            guard let table else { throw PostgresError(.connection, "no connection") }
            return .success(try work(table))
        } catch {
            if error.isTransient || table?.connection.isHealthy == false { table = nil }
            return .failure(error)
        }
    }

    /// Drops the connection (after the last call).
    func close() {
        queue.sync { table = nil }
    }
}
