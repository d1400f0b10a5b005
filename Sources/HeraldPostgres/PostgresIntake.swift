import FoundationEssentials
import HeraldConfig
import HeraldCore
import HeraldJobs
import Synchronization

/// Stores accepted events in PostgreSQL, on a thread of its own with its own connection, never on
/// the HTTP event loop. Events that arrive while a transaction commits wait and go into the next
/// one, so many share a commit the way the spool's requests share an fsync. Each is answered once
/// its transaction committed (202) or failed (503, so Kratos retries). While the database cannot
/// be reached every event is answered 503 at once; the thread connects again as soon as the
/// watch sees the database back, before the next event needs it.
final class PostgresIntake: Sendable {
    /// One `accept`: its events go into one transaction together.
    private struct Pending {
        let events: [PostgresJobTable.Event]
        let completion: @Sendable (Result<[IntakeReceipt], JobStoreError>) -> Void
    }

    private struct State {
        var pending: [Pending] = []
        var stopping = false
        /// Why the last transaction or connection failed, until one works again.
        var problem: String?
        /// Set when the watch saw the database come back: connect again before the next event.
        var reconnect = false
    }

    /// Events waiting for a transaction at most; beyond, 503 at once (memory stays bounded).
    static let maxPending = 10_000

    private let settings: PostgresStoreSettings
    private let health: DatabaseHealth
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeUp = NativeCondition()

    init(settings: PostgresStoreSettings, health: DatabaseHealth, logger: Logger) {
        self.settings = settings
        self.health = health
        self.logger = logger
        health.onReachable { [weak self] in
            self?.state.withLock { $0.reconnect = true }
            self?.signal()
        }
    }

    func accept(
        _ events: [IntakeEvent], completion: @escaping @Sendable (Result<[IntakeReceipt], JobStoreError>) -> Void
    ) {
        guard events.contains(where: { !$0.isEmpty }) else {
            completion(.success(events.map { _ in IntakeReceipt() }))
            return
        }
        let now = WallClock.now
        let stored = events.map { event in
            let eventKey = event.dedupeKeys.first { $0.route == nil }.map { ($0.key, $0.expiresAt - now) }
            let routeKeys = event.dedupeKeys.compactMap { key in key.route.map { ($0, key.key, key.expiresAt - now) } }
            return PostgresJobTable.Event(jobs: event.jobs, key: eventKey, routeKeys: routeKeys)
        }
        let down = health.isKnownDown
        let refusal = state.withLock { state -> String? in
            if state.stopping { return "shutting down" }
            if down { return "database: cannot reach the database" }
            guard state.pending.count < Self.maxPending else { return "too many events waiting for the database" }
            state.pending.append(Pending(events: stored, completion: completion))
            return nil
        }
        if let refusal {
            completion(.failure(JobStoreError(.unavailable, refusal)))
            return
        }
        signal()
    }

    /// True while events can be stored: no failure since the last working transaction.
    var isHealthy: Bool { state.withLock { $0.problem == nil && !$0.stopping } }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Stores events until `stop()` and those still waiting then, on a thread of its own.
    func run() async {
        await DedicatedThread.run(named: "herald-postgres-intake") { [self] in loop() }
    }

    /// Stops taking events; `run()` returns once those already waiting are stored.
    func stop() {
        state.withLock { $0.stopping = true }
        signal()
    }

    private func signal() {
        wakeUp.lock()
        wakeUp.signal()
        wakeUp.unlock()
    }

    private func loop() {
        var table: PostgresJobTable?
        var generation: UInt64 = 0
        while true {
            let (batch, stopping) = nextBatch()
            if stopping && batch.isEmpty { break }
            let current = health.generation
            if table == nil || table?.connection.isHealthy == false || generation < current {
                do throws(PostgresError) {
                    let connection = try PostgresConnection(
                        dsn: settings.dsn, connectTimeout: settings.connectTimeout,
                        applicationName: PostgresConnection.serveApplicationName)
                    try PostgresSchema.check(connection)
                    table = PostgresJobTable(connection: connection)
                    generation = current
                    let was = state.withLock { state -> String? in
                        defer {
                            state.problem = nil
                            state.reconnect = false
                        }
                        return state.problem
                    }
                    if was != nil { logger.info("database reachable; storing events") }
                } catch {
                    table = nil
                    fail(batch, because: error)
                    if stopping { break }
                    NativeThread.sleep(for: DatabaseHealth.reconnectInterval)
                    continue
                }
            }
            guard let current = table, !batch.isEmpty else { continue }
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
                table = nil
                fail(batch, because: error)
                NativeThread.sleep(for: DatabaseHealth.reconnectInterval)
            }
        }
    }

    /// Waits for events, the stop, or a reason to connect again; then takes up to `maxBatch` events.
    private func nextBatch() -> ([Pending], Bool) {
        wakeUp.lock()
        while state.withLock({ $0.pending.isEmpty && !$0.stopping && $0.problem == nil && !$0.reconnect }) {
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
            return state.problem == nil
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
        for item in batch + waiting {
            item.completion(.failure(JobStoreError(.unavailable, "database: \(problem)", cause: error)))
        }
    }
}
