import FoundationEssentials
import Glibc
import HeraldConfig
import HeraldCore
import HeraldJobs
import Synchronization

/// The jobs of `store: postgres`, shared by N instances, as a `JobStore`: events are stored by a
/// thread of their own (`PostgresIntake`); claims take due jobs with `FOR UPDATE SKIP LOCKED`
/// under a lease this instance renews while attempts run, and verdicts are recorded only while
/// the lease holds (fenced by its token), many in one commit. Instances wake each other with
/// `NOTIFY herald_jobs` (`DatabaseWatch`), with polling as the fallback. Every database call runs
/// on a thread or serial queue of the store's own, never on Swift's shared threads; a lost
/// database pauses everything, and it all resumes by itself within moments of its return.
///
/// Its threads run inside `run()` (the daemon's service group), never from an initialiser.
package final class PostgresStore: Sendable {
    /// This process among the instances: it names leases (`lease_owner`).
    package let owner: String
    let settings: PostgresStoreSettings
    let logger: Logger
    let health = DatabaseHealth()
    let watch: DatabaseWatch
    let intake: PostgresIntake
    /// The connection of verdicts, upkeep and the operators' commands; it commits
    /// asynchronously.
    let delivery: DatabaseQueue
    /// The connection of claims; it commits synchronously, in parallel with the verdicts.
    let claims: DatabaseQueue
    /// Verdicts waiting for the next commit.
    let verdicts = VerdictBatch()
    let upkeep = Mutex(Upkeep())
    /// The database's clock less this host's, as the last claim showed it.
    let clockOffset = Mutex(Duration.zero)
    /// How long claims may start where the last saw the live jobs begin.
    let fullClaimInterval: Duration

    /// What `maintain()` and `nextWakeUp` keep between the executor's rounds.
    struct Upkeep {
        /// Claims under way (verdicts not yet recorded): their leases are renewed.
        var claims = 0
        var lastRenewal = ContinuousClock.now
        var lastHousekeeping: ContinuousClock.Instant?
        var depth: StoreDepth?
        /// The last claim found nothing: ask the database when the next job is due.
        var lastClaimEmpty = false
        /// Where the live jobs began as the last claim saw them, while claims take all they ask
        /// for (a backlog); nil: the next claim scans from the start.
        var claimFrom: PostgresJobTable.DuePosition?
        /// When a claim last scanned from the start.
        var lastFullClaim: ContinuousClock.Instant?
        /// The last claim took all it asked for: the next one asks where the live jobs begin.
        var lastClaimTookAll = false
    }

    /// Opens the store of `settings`. Refuses a schema it does not know (with the command to
    /// run); a database that is merely unreachable is waited for. Starts nothing: `run()` does.
    /// - Throws: `PostgresError` `.schema` for a bad DSN or schema.
    /// - Parameter fullClaimInterval: how long claims may start where the last saw the live jobs
    ///   begin (`PostgresStore.defaultFullClaimInterval` unless a test needs another).
    package static func open(
        settings: PostgresStoreSettings, logger: Logger,
        fullClaimInterval: Duration = PostgresStore.defaultFullClaimInterval
    ) throws(PostgresError) -> PostgresStore {
        guard PostgresConnection.isValid(dsn: settings.dsn) else {
            throw PostgresError(.schema, "store.postgres.dsn is not a connection string libpq can read")
        }
        do throws(PostgresError) {
            let connection = try PostgresConnection(dsn: settings.dsn, connectTimeout: settings.connectTimeout)
            try PostgresSchema.check(connection)
            logger.info("job store: postgres", ["schema": .int(PostgresSchema.current)])
        } catch {
            guard error.kind == .connection else { throw error }
            logger.error(
                "the database cannot be reached; events are answered 503 until it can",
                ["reason": .string(settings.redacted(error.description))])
        }
        return PostgresStore(settings: settings, logger: logger, fullClaimInterval: fullClaimInterval)
    }

    /// The store for `herald queue|dead`: checks the schema; no threads, no watch.
    /// - Throws: `PostgresError` when the database cannot be reached or has another schema.
    package static func forCommands(settings: PostgresStoreSettings) throws(PostgresError) -> PostgresStore {
        let connection = try PostgresConnection(dsn: settings.dsn, connectTimeout: settings.connectTimeout)
        try PostgresSchema.check(connection)
        return PostgresStore(settings: settings, logger: .discarding, watched: false)
    }

    private init(
        settings: PostgresStoreSettings, logger: Logger, watched: Bool = true,
        fullClaimInterval: Duration = PostgresStore.defaultFullClaimInterval
    ) {
        self.fullClaimInterval = fullClaimInterval
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let hostname = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        owner = "\(hostname):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
        self.settings = settings
        self.logger = logger
        watch = DatabaseWatch(settings: settings, health: health, logger: logger)
        intake = PostgresIntake(settings: settings, health: health, logger: logger)
        // Verdicts commit without waiting for the WAL flush: a verdict lost in a database crash
        // leaves its job running under a lease that runs out, and its next attempt counts as
        // maybe-sent. Claims wait for it (their own connection, the server's default): a claim
        // a crash forgot would bring its job back as never attempted. The ingress keeps
        // synchronous commits: its 202 means stored.
        delivery = DatabaseQueue(
            settings: settings, label: "herald.postgres.delivery", health: watched ? health : nil,
            session: ["SET synchronous_commit TO off"],
            applicationName: watched ? PostgresConnection.serveApplicationName : "herald")
        claims = DatabaseQueue(
            settings: settings, label: "herald.postgres.claims", health: watched ? health : nil,
            session: ["SET synchronous_commit TO on"],
            applicationName: watched ? PostgresConnection.serveApplicationName : "herald")
    }

    /// Runs the store's threads (the watch and the intake) until `stop()`.
    package func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watch.run() }
            group.addTask { await self.intake.run() }
        }
        delivery.close()
        claims.close()
    }

    /// Stops taking events; `run()` returns once those waiting are stored and the watch ended.
    package func stop() {
        intake.stop()
        watch.stop()
    }
}

extension PostgresStore: JobIntake {
    package func accept(
        _ events: [IntakeEvent], completion: @escaping @Sendable (Result<[IntakeReceipt], JobStoreError>) -> Void
    ) {
        intake.accept(events, completion: completion)
    }

    /// Ready while the watch holds a connection and the last transaction worked: it follows the
    /// database within `DatabaseWatch.checkInterval`, whether or not events arrive.
    package var isReady: Bool { health.isReachable && intake.isHealthy }

    /// Generic on purpose: `/readyz` may be reachable by more than the operator; the log has the cause.
    package var notReadyReason: String {
        intake.isStopping ? "shutting down" : "the database cannot store jobs (see the log)"
    }

    /// The database dedupes, in the same transaction as the jobs.
    package func seen(_ key: String, now: WallClock) -> Bool { false }
}

extension JobStoreError {
    /// The database's error, as a job store's; `redact` takes the DSN out of libpq's words.
    init(_ error: PostgresError, redact: (String) -> String) {
        self.init(.unavailable, "database: \(redact(error.description))", cause: error)
    }
}
