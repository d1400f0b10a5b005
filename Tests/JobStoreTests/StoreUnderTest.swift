import Foundation
import HeraldConfig
import HeraldCore
import HeraldJobs
import HeraldPostgres
import HeraldSpool
import HeraldTestSupport

/// The stores the behaviour suite runs on: the local spool and PostgreSQL (when the test cluster
/// can run here), and the in-memory store the executor's tests use, held to the same rules.
enum StoreUnderTest: String, CustomStringConvertible, Sendable {
    case memory
    case spool
    case postgres

    static let all: [StoreUnderTest] =
        PostgresTestCluster.shared == nil ? [.memory, .spool] : [.memory, .spool, .postgres]

    var description: String { rawValue }

    /// Runs `body` with a fresh store of this kind, and closes it afterwards.
    func with(_ body: (any JobStore) async throws -> Void) async throws {
        switch self {
        case .memory:
            try await body(InMemoryJobStore())
        case .spool:
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            var options = SpoolOptions()
            options.compactionInterval = nil
            let spool = try Spool.open(stateDirectory: directory.path, options: options, logger: .discarding)
            defer { spool.close() }
            try await body(spool)
        case .postgres:
            let cluster = try PostgresTestCluster.require()
            let dsn = try cluster.createDatabase()
            _ = try PostgresSchema.migrate(try PostgresConnection(dsn: dsn))
            var settings = PostgresStoreSettings(dsn: dsn)
            // A lease long enough that a loaded machine never sees one run out within a test.
            settings.lease = .seconds(60)
            settings.pollInterval = .milliseconds(50)
            let store = try PostgresStore.open(settings: settings, logger: .discarding)
            let running = Task { await store.run() }
            for _ in 0..<400 where !store.isReady { try await Task.sleep(for: .milliseconds(10)) }
            do {
                try await body(store)
            } catch {
                store.stop()
                await running.value
                throw error
            }
            store.stop()
            await running.value
        }
    }
}

extension PostgresTestCluster {
    /// The shared cluster, or an error saying what is missing.
    static func require() throws -> PostgresTestCluster {
        guard let cluster = shared else { throw ProcessFailure(missing) }
        return cluster
    }
}

extension JobStore {
    /// Stores `jobs` through the ingress's path and waits for the commit.
    func add(_ jobs: [Job]) async throws {
        let result = await withCheckedContinuation { continuation in
            accept([IntakeEvent(jobs: jobs, dedupeKeys: [])]) { continuation.resume(returning: $0) }
        }
        _ = try result.get()
    }

    /// Claims with room for `count` jobs of `actions`.
    func claim(_ count: Int = 10, actions: Set<String> = ["mail", "hook"]) async throws -> [JobClaim] {
        try await claim(ClaimRequest(count: count, actions: actions))
    }
}
