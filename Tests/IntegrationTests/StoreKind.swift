import Foundation
import HeraldTestSupport

/// The job stores a test runs on (issue 10: the durability, dedupe and delay tests run on both):
/// the local spool, and PostgreSQL when the test cluster can run here.
enum StoreKind: String, CustomStringConvertible, Sendable, CaseIterable {
    case local
    case postgres

    /// Every store available on this machine.
    static let available: [StoreKind] = PostgresTestCluster.shared == nil ? [.local] : [.local, .postgres]

    var description: String { rawValue }

    /// The options that take `herald queue|dead` to this store from the daemon's directory: the
    /// local spool's state dir (a running daemon's control socket, or the spool itself when none
    /// runs); for postgres the config, whose database the commands work on directly.
    var commandOptions: [String] { self == .postgres ? ["--config", "herald.yaml"] : ["--state-dir", "state"] }

    /// `config` for this store: for postgres, a fresh database, migrated with the real binary.
    /// - Parameter postgresSettings: more settings of the postgres store, such as `lease: 3s`.
    func prepare(_ config: String, postgresSettings: String? = nil) throws -> String {
        guard self == .postgres, let cluster = PostgresTestCluster.shared else { return config }
        let dsn = try cluster.createDatabase()
        let settings = ["dsn: \"\(dsn)\"", "poll_interval: 100ms"] + (postgresSettings.map { [$0] } ?? [])
        let prepared = "store: { postgres: { \(settings.joined(separator: ", ")) } }\n" + config
        let directory = try makeTemporaryDirectory()
        try prepared.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let migrated = try HeraldProcess.run(["store", "migrate", "--config", "herald.yaml"], in: directory)
        guard migrated.status == 0 else { throw ProcessFailure("store migrate failed: \(migrated.stderr)") }
        return prepared
    }
}
