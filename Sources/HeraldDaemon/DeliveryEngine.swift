import HeraldConfig
import HeraldCore
import HeraldPostgres
import HeraldSpool

/// What stores and performs the jobs of a running daemon, by `store:`: the local spool and its
/// scheduler, or PostgreSQL shared by several instances. The daemon starts, reloads and stops it
/// through these few calls; everything else (listeners, signals, systemd) is the same for both.
struct DeliveryEngine: Sendable {
    let intake: any JobIntake
    /// Runs deliveries until `stop` and the running attempts have finished.
    let run: @Sendable () async -> Void
    let stop: @Sendable (Duration) -> Void
    let apply: @Sendable (HeraldConfiguration) -> Void
    let isResponsive: @Sendable () -> Bool
    /// The local spool's `herald queue|dead` through the control socket; nil for postgres, whose
    /// commands talk to the database directly.
    let control: SpoolControl?
    /// Flushes and releases what it holds, after `run` returned.
    let close: @Sendable () async -> Void

    /// The local spool under `state_dir`.
    static func local(configuration: HeraldConfiguration, logger: Logger, metrics: HeraldMetrics) throws(SpoolError)
        -> DeliveryEngine
    {
        let spool = try Spool.open(stateDirectory: configuration.stateDirectory, logger: logger)
        spool.startScheduling()
        // Recovery and the ready queue leave freed buffers in malloc's arenas (a million jobs: tens
        // of MB); give them back before serving.
        releaseFreedMemory()
        let scheduler = Scheduler(configuration: configuration, spool: spool, logger: logger, metrics: metrics)
        metrics.observeSpool {
            let statistics = spool.statistics
            let age = statistics.oldestCreatedAt.map { WallClock.now - $0 }
            return HeraldMetrics.SpoolReading(depth: statistics.depth, oldestJobAge: age)
        }
        return DeliveryEngine(
            intake: scheduler, run: { await scheduler.run() }, stop: { scheduler.stop(deadline: $0) },
            apply: { scheduler.apply($0) }, isResponsive: { scheduler.isResponsive() },
            control: SpoolControl(spool: spool, scheduler: scheduler),
            close: {
                do throws(SpoolError) {
                    try await spool.flush()
                } catch {
                    logger.error("spool flush failed at stop", ["reason": .string("\(error)")])
                }
                spool.close()
            })
    }

    /// A PostgreSQL database (`store: postgres`). Refuses to start on a schema it does not know
    /// (with the command to run); a database that is merely unreachable is waited for.
    static func postgres(
        configuration: HeraldConfiguration, settings: PostgresStoreSettings, logger: Logger, metrics: HeraldMetrics
    ) throws(PostgresError) -> DeliveryEngine {
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
        let intake = PostgresIntake(settings: settings, logger: logger)
        let delivery = PostgresDelivery(
            configuration: configuration, settings: settings, logger: logger, metrics: metrics)
        metrics.observeSpool { delivery.reading }
        return DeliveryEngine(
            intake: intake, run: { await delivery.run() }, stop: { delivery.stop(deadline: $0) },
            apply: { delivery.apply($0) }, isResponsive: { delivery.isResponsive() }, control: nil,
            close: { intake.stop() })
    }
}
