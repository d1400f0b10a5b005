import Foundation
import HeraldConfig
import HeraldCore
import HeraldPostgres
import HeraldSpool
import Synchronization

/// Stores accepted events in PostgreSQL (`store: postgres`): on a thread of its own with its own
/// connection, never on the HTTP event loop. Events that arrive while a transaction commits wait
/// and go into the next one, so many share a commit the way the spool's requests share an fsync.
/// Each is answered once its transaction committed (202) or failed (503, so Kratos retries).
/// While the database cannot be reached every event is answered 503 at once and `/readyz` says
/// why; the thread reconnects with backoff and recovers by itself.
final class PostgresIntake: JobIntake, Sendable {
    /// One `accept`: its events go into one transaction together.
    private struct Pending {
        let events: [PostgresJobStore.Event]
        let completion: @Sendable (Result<[IntakeReceipt], IntakeError>) -> Void
    }

    private struct State {
        var pending: [Pending] = []
        var stopping = false
        var problem: String? = "connecting to the database"
    }

    /// Events waiting for a transaction at most; beyond, 503 at once (memory stays bounded).
    static let maxPending = 10_000

    private let settings: PostgresStoreSettings
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeUp = NSCondition()
    private let finished = DispatchSemaphore(value: 0)

    init(settings: PostgresStoreSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        let thread = Thread { [self] in loop() }
        thread.name = "herald-postgres-intake"
        thread.start()
    }

    package func accept(
        _ events: [IntakeEvent], completion: @escaping @Sendable (Result<[IntakeReceipt], IntakeError>) -> Void
    ) {
        guard events.contains(where: { !$0.jobs.isEmpty || !$0.dedupeKeys.isEmpty }) else {
            completion(.success(events.map { _ in IntakeReceipt() }))
            return
        }
        let now = WallClock.now
        let stored = events.map { event in
            let eventKey = event.dedupeKeys.first { $0.route == nil }.map { ($0.key, $0.expiresAt - now) }
            let routeKeys = event.dedupeKeys.compactMap { key in key.route.map { ($0, key.key, key.expiresAt - now) } }
            return PostgresJobStore.Event(jobs: event.jobs, key: eventKey, routeKeys: routeKeys)
        }
        let refusal = state.withLock { state -> String? in
            if state.stopping { return "shutting down" }
            if let problem = state.problem, state.pending.isEmpty, problem != "connecting to the database" {
                return problem
            }
            guard state.pending.count < Self.maxPending else { return "too many events waiting for the database" }
            state.pending.append(Pending(events: stored, completion: completion))
            return nil
        }
        if let refusal {
            completion(.failure(IntakeError(refusal)))
            return
        }
        wakeUp.lock()
        wakeUp.signal()
        wakeUp.unlock()
    }

    package var isReady: Bool { state.withLock { $0.problem == nil && !$0.stopping } }

    /// Generic on purpose: `/readyz` may be reachable by more than the operator; the log has the cause.
    package var notReadyReason: String {
        state.withLock {
            $0.stopping ? "shutting down" : $0.problem == nil ? "ready" : "the database cannot store jobs (see the log)"
        }
    }

    /// The database dedupes, in the same transaction as the jobs.
    package func seen(_ key: String, now: WallClock) -> Bool { false }

    /// Stops taking events, stores those already waiting, and returns when the thread is done.
    func stop() {
        state.withLock { $0.stopping = true }
        wakeUp.lock()
        wakeUp.signal()
        wakeUp.unlock()
        finished.wait()
    }

    private func loop() {
        var store: PostgresJobStore?
        var backoff = Duration.milliseconds(200)
        while true {
            let (batch, stopping) = nextBatch()
            if stopping && batch.isEmpty { break }
            if store == nil || store?.connection.isHealthy == false {
                do throws(PostgresError) {
                    let connection = try PostgresConnection(
                        dsn: settings.dsn, connectTimeout: settings.connectTimeout,
                        applicationName: PostgresConnection.serveApplicationName)
                    try PostgresSchema.check(connection)
                    store = PostgresJobStore(connection: connection)
                    if state.withLock({ $0.problem }) != nil {
                        logger.info("database reachable; storing events")
                    }
                    state.withLock { $0.problem = nil }
                    backoff = .milliseconds(200)
                } catch {
                    store = nil
                    fail(batch, because: error)
                    if stopping { break }
                    Thread.sleep(forTimeInterval: backoff.seconds)
                    backoff = min(backoff * 2, .seconds(5))
                    continue
                }
            }
            guard let current = store, !batch.isEmpty else { continue }
            do throws(PostgresError) {
                var receipts = try current.store(batch.flatMap(\.events))[...]
                for item in batch {
                    let mine = receipts.prefix(item.events.count)
                    receipts = receipts.dropFirst(item.events.count)
                    item.completion(
                        .success(
                            mine.map { IntakeReceipt(duplicate: $0.duplicate, suppressedRoutes: $0.suppressedRoutes) }))
                }
            } catch {
                // Whatever failed (a lost connection, a full disk on the server, a standby after
                // a failover), start over on a new connection after a pause: the next pass
                // reconnects, checks the schema and clears the problem once it works again.
                store = nil
                fail(batch, because: error)
                Thread.sleep(forTimeInterval: backoff.seconds)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        finished.signal()
    }

    /// Waits for events (or the stop), then takes up to `maxBatch` of them.
    private func nextBatch() -> ([Pending], Bool) {
        wakeUp.lock()
        while state.withLock({ $0.pending.isEmpty && !$0.stopping && $0.problem == nil }) {
            wakeUp.wait()
        }
        wakeUp.unlock()
        return state.withLock { state in
            let count = min(state.pending.count, settings.maxBatch)
            let batch = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return (batch, state.stopping)
        }
    }

    private func fail(_ batch: [Pending], because error: PostgresError) {
        let problem = error.kind == .connection ? "cannot reach the database" : "the database refused to store jobs"
        let first = state.withLock { state -> Bool in
            defer { state.problem = problem }
            return state.problem == nil || state.problem == "connecting to the database"
        }
        if first || !batch.isEmpty {
            logger.error(
                "events not stored; answered 503 so that Kratos retries",
                ["events": .int(batch.count), "reason": .string(settings.redacted(error.description))])
        }
        // Events that came in meanwhile get the same answer now rather than after a reconnect.
        let waiting = state.withLock { state -> [Pending] in
            defer { state.pending.removeAll() }
            return state.pending
        }
        for item in batch + waiting { item.completion(.failure(IntakeError("database: \(problem)"))) }
    }
}
