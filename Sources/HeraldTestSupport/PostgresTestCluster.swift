import Foundation
import Glibc
import Synchronization

/// A PostgreSQL server of the tests' own, as a user's CI would run one: `initdb` in a temporary
/// folder, a unix socket there (no TCP), trust authentication, and an unprivileged account (the
/// `postgres` system user when the tests run as root, which PostgreSQL refuses to run as).
/// Stopped when the test process exits.
///
/// ```swift
/// let cluster = try #require(PostgresTestCluster.shared)
/// let dsn = try cluster.createDatabase()      // a fresh database per test
/// ```
package final class PostgresTestCluster: Sendable {
    /// Where Debian installs the server (`apt-get install postgresql`); nil when it is not there.
    package static let binDirectory: String? = {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        guard let newest = versions.compactMap(Int.init).sorted().last else { return nil }
        let bin = "\(base)/\(newest)/bin"
        return FileManager.default.isExecutableFile(atPath: bin + "/initdb") ? bin : nil
    }()

    /// Why the PostgreSQL tests are skipped, when they are.
    package static let missing = "PostgreSQL is needed (apt-get install postgresql, or scripts/setup --ops)"

    /// One cluster for the whole test process; nil when PostgreSQL is not installed.
    package static let shared: PostgresTestCluster? = try? PostgresTestCluster()

    package let directory: String
    private let bin: String
    /// Server settings besides the cluster's own (`-c name=value` each).
    private let settings: [String]
    private let counter = Mutex(0)

    /// Starts a new cluster (about half a second).
    /// - Parameter settings: server settings, such as `wal_writer_delay=10s`.
    package init(settings: [String] = []) throws {
        guard let bin = Self.binDirectory else { throw ProcessFailure(Self.missing) }
        self.bin = bin
        self.settings = settings
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "herald-pg-\(UUID().uuidString.prefix(8))"
            ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if geteuid() == 0 {
            var account = passwd()
            var buffer = [CChar](repeating: 0, count: 4096)
            var result: UnsafeMutablePointer<passwd>?
            guard getpwnam_r("postgres", &account, &buffer, buffer.count, &result) == 0, result != nil else {
                throw ProcessFailure("running as root needs the postgres system user (apt-get install postgresql)")
            }
            chown(directory, account.pw_uid, account.pw_gid)
        }
        try run(
            "initdb", ["-D", "\(directory)/data", "--auth=trust", "-U", "herald", "--no-sync", "-E", "UTF8"])
        try start()
        Self.started.withLock { $0.append(self) }
        Self.registerCleanup
    }

    /// The connection string of the cluster's `postgres` database.
    package var adminDSN: String { "host=\(directory) user=herald dbname=postgres" }

    /// A new, empty database; returns its connection string.
    package func createDatabase() throws -> String {
        let name = counter.withLock { count -> String in
            count += 1
            return "herald_test_\(getpid())_\(count)"
        }
        try run("psql", ["-q", "-h", directory, "-U", "herald", "-d", "postgres", "-c", "CREATE DATABASE \(name)"])
        return "host=\(directory) user=herald dbname=\(name)"
    }

    /// Starts the server (after `stop`).
    package func start() throws {
        // The server inherits pg_ctl's output: a pipe there would never reach end of file.
        try run(
            detached: true, "pg_ctl",
            [
                "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-o",
                (["-k \(directory)", "-c listen_addresses=''", "-c max_connections=200"] + settings.map { "-c \($0)" })
                    .joined(separator: " "), "start",
            ])
    }

    /// Stops the server at once, as a crash would (`immediate`), or cleanly (`fast`).
    package func stop(immediately: Bool = false) throws {
        try run("pg_ctl", ["-D", "\(directory)/data", "-m", immediately ? "immediate" : "fast", "-w", "stop"])
    }

    /// Runs psql with `sql` on the database of `dsn` and returns what it printed (tuples only).
    package func query(_ dsn: String, _ sql: String) throws -> String {
        try run("psql", ["-qAt", "-d", dsn, "-c", sql])
    }

    @discardableResult
    private func run(detached: Bool = false, _ tool: String, _ arguments: [String]) throws -> String {
        if detached { return try spawn(tool, arguments) }
        let process = Process()
        if geteuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", "\(bin)/\(tool)"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "\(bin)/\(tool)")
            process.arguments = arguments
        }
        // In the cluster's folder, which the server's account can enter: run as root from a folder
        // only root may enter (a clone under `mktemp -d`), the tools warn "could not change
        // directory" on stderr.
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        // Results on stdout only; stderr (warnings, notices) is kept apart and shown on failure.
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // stderr is read on another thread so that neither pipe can fill up and stall the tool.
        let collected = Mutex(Data())
        let readerDone = DispatchSemaphore(value: 0)
        Thread {
            let bytes = errors.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { $0 = bytes }
            readerDone.signal()
        }.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        readerDone.wait()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: collected.withLock { $0 }, as: UTF8.self)
            throw ProcessFailure("\(tool) failed (\(process.terminationStatus)): \(stderr)\(text)")
        }
        return text
    }

    /// Runs a tool whose children outlive it (`pg_ctl start` leaves the server running) with
    /// posix_spawn and waitpid: Foundation's Process can miss the exit of such a parent.
    private func spawn(_ tool: String, _ arguments: [String]) throws -> String {
        // In the cluster's folder, as in `run` (`env -C`: the server's account may not enter the
        // caller's).
        let argv =
            ["/usr/bin/env", "-C", directory]
            + (geteuid() == 0
                ? ["/usr/sbin/runuser", "-u", "postgres", "--", "\(bin)/\(tool)"] + arguments
                : ["\(bin)/\(tool)"] + arguments)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw ProcessFailure("cannot start \(tool): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw ProcessFailure("\(tool) failed (status \(status)); see \(directory)/server.log")
        }
        return ""
    }

    private static let started = Mutex<[PostgresTestCluster]>([])

    /// Stops every cluster this process started when it exits, so no server outlives the tests.
    private static let registerCleanup: Void = {
        atexit {
            for cluster in PostgresTestCluster.started.withLock({ $0 }) {
                try? cluster.stop(immediately: true)
                try? FileManager.default.removeItem(atPath: cluster.directory)
            }
        }
    }()
}

/// A helper process that failed, with what it printed.
package struct ProcessFailure: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
