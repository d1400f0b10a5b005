import Dispatch
import HeraldConfig
import HeraldCore
import HeraldPostgres

/// One connection to the job store, used from one serial queue: every call hops there and back,
/// so no Swift task blocks on the database. Reconnects on the next call after a failure.
final class DatabaseQueue: Sendable {
    private let queue: DispatchQueue
    private let settings: PostgresStoreSettings
    // Touched only on `queue`.
    private nonisolated(unsafe) var store: PostgresJobStore?
    /// After a failed connection, calls fail at once until then (no call waits for a connect
    /// timeout while the database is away; the run loop keeps answering the watchdog).
    private nonisolated(unsafe) var quietUntil: ContinuousClock.Instant?
    private nonisolated(unsafe) var backoff = Duration.milliseconds(200)

    /// Statements run on each new connection (session settings).
    private let session: [String]

    init(settings: PostgresStoreSettings, label: String, session: [String] = []) {
        self.settings = settings
        self.queue = DispatchQueue(label: label)
        self.session = session
    }

    func run<T: Sendable>(_ work: @escaping @Sendable (PostgresJobStore) throws -> T) async -> Result<T, PostgresError>
    {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.perform(work))
            }
        }
    }

    private func perform<T>(_ work: (PostgresJobStore) throws -> T) -> Result<T, PostgresError> {
        do {
            if store == nil || store?.connection.isHealthy == false {
                if let quietUntil, ContinuousClock.now < quietUntil {
                    throw PostgresError(.connection, "the database was unreachable moments ago; waiting to reconnect")
                }
                do {
                    let connection = try PostgresConnection(
                        dsn: settings.dsn, connectTimeout: settings.connectTimeout,
                        applicationName: PostgresConnection.serveApplicationName)
                    for statement in session { try connection.execute(statement) }
                    store = PostgresJobStore(connection: connection)
                    quietUntil = nil
                    backoff = .milliseconds(200)
                } catch {
                    quietUntil = .now + backoff
                    backoff = min(backoff * 2, .seconds(5))
                    throw error
                }
            }
            guard let store else { throw PostgresError(.connection, "no connection") }
            return .success(try work(store))
        } catch {
            let failure = error as? PostgresError ?? PostgresError(.statement, "\(error)")
            if failure.isTransient || store?.connection.isHealthy == false { store = nil }
            return .failure(failure)
        }
    }

    func close() {
        queue.sync { store = nil }
    }
}
