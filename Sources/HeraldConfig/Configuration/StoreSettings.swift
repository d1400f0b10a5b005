import HeraldCore

/// Where jobs live (`store:`): the local spool under `state_dir` (the default), or a PostgreSQL
/// database shared by several Herald instances.
///
/// ```yaml
/// store: local
/// store:
///   postgres:
///     dsn: "${credential:herald-dsn}"        # libpq: postgresql://user@host/db or host=… dbname=…
///     connect_timeout: 5s
///     lease: 30s                              # how long a claimed job is this instance's
/// ```
package enum StoreSettings: Sendable, Equatable {
    case local
    case postgres(PostgresStoreSettings)

    package var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }
}

/// `store.postgres`.
package struct PostgresStoreSettings: Sendable, Equatable {
    /// The libpq connection string (a secret when it holds a password; never printed).
    package var dsn: String
    package var connectTimeout: Duration = .seconds(5)
    /// How long a claimed job stays this instance's without a renewal; renewed every third of it
    /// while the attempt runs. Another instance takes the job over once it ends.
    package var lease: Duration = .seconds(30)
    /// How often an instance looks for due jobs when no notification wakes it.
    package var pollInterval: Duration = .seconds(1)
    /// Most events stored in one transaction.
    package var maxBatch: Int = 256

    package init(dsn: String) {
        self.dsn = dsn
    }

    /// `text` without the DSN or its password (libpq quotes parts of a connection string in some
    /// of its errors): for log lines and messages.
    package func redacted(_ text: String) -> String {
        RemoteTextRedactor(secrets: [dsn] + Self.passwords(in: dsn)).redacted(text)
    }

    /// The passwords a DSN holds, in every form libpq reads them (see `DSNPasswords`).
    package static func passwords(in dsn: String) -> [String] {
        DSNPasswords(dsn).all
    }
}

extension ConfigurationBuilder {
    static let storeKinds = ["local", "postgres"]

    mutating func readStore(_ node: ConfigNode) {
        if let text = node.scalar?.text {
            if text == "local" { return }
            diagnostics.error(
                text == "postgres"
                    ? "store: postgres needs its settings: store: { postgres: { dsn: \"…\" } }"
                    : "unknown store '\(text)'; expected local, or postgres: { dsn: … }", at: node)
            return
        }
        guard let map = ConfigMap(node, keys: ["postgres", "local"], what: "'store'", diagnostics: diagnostics) else {
            return
        }
        if map.node("local") != nil, map.node("postgres") != nil {
            diagnostics.error("'store' is local or postgres, not both", at: node)
            return
        }
        guard let postgresNode = map.node("postgres") else { return }
        guard
            let postgres = ConfigMap(
                postgresNode, keys: ["dsn", "connect_timeout", "lease", "poll_interval", "max_batch"],
                what: "'store.postgres'", diagnostics: diagnostics),
            let dsn = postgres.string("dsn", required: true, acceptingScalars: true)
        else { return }
        var settings = PostgresStoreSettings(dsn: dsn)
        if dsn.trimmingSpaces().isEmpty, let at = postgres.node("dsn") {
            diagnostics.error("'dsn' is empty", at: at)
        }
        if let value = postgres.duration("connect_timeout") { settings.connectTimeout = value }
        if let value = postgres.duration("lease") {
            if value < .seconds(3), let at = postgres.node("lease") {
                diagnostics.error("'lease' must be at least 3s (it is renewed every third of it)", at: at)
            }
            settings.lease = value
        }
        if let value = postgres.duration("poll_interval") {
            if value < .milliseconds(10) || value >= settings.lease / 3, let at = postgres.node("poll_interval") {
                diagnostics.error(
                    "'poll_interval' must be at least 10ms and shorter than a third of the lease (\((settings.lease / 3).compactDescription)), since leases are renewed between polls",
                    at: at)
            }
            settings.pollInterval = value
        }
        if let value = postgres.int("max_batch", in: 1...10_000) { settings.maxBatch = value }
        store = .postgres(settings)
    }
}
