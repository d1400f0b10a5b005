import Foundation
import HeraldTestSupport

/// podman as scripts/test-containers configured it (a wrapper with this machine's storage,
/// runtime and containers.conf), and the image it built. Both come from the environment that
/// script sets; without them the container tests are skipped, saying why.
enum Podman {
    /// The wrapper script (HERALD_TEST_PODMAN).
    static let executable = ProcessInfo.processInfo.environment["HERALD_TEST_PODMAN"]
    /// The image under test (HERALD_TEST_IMAGE).
    static let image = ProcessInfo.processInfo.environment["HERALD_TEST_IMAGE"] ?? ""

    static var available: Bool { executable != nil && !image.isEmpty }

    /// Why the tests are skipped.
    static var missing: String {
        if let reason = ProcessInfo.processInfo.environment["HERALD_TEST_CONTAINERS_SKIPPED"] {
            return "the container tests cannot run here: \(reason)"
        }
        return "the container tests run through scripts/test-containers (it builds the image; podman from "
            + "scripts/setup --ops)"
    }

    struct Result: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `podman arguments…` to its end, on a thread of its own (BlockingWork).
    static func run(_ arguments: [String]) async throws -> Result {
        try await BlockingWork.run { try runBlocking(arguments) }
    }

    /// Runs `podman arguments…` to its end, blocking the calling thread.
    ///
    /// posix_spawn and waitpid, with the output in files: `podman run --detach` leaves conmon
    /// behind, holding its output open (a pipe would never reach its end), and Foundation's
    /// Process can miss the exit of such a parent.
    @discardableResult
    static func runBlocking(_ arguments: [String]) throws -> Result {
        guard let executable else { throw Failure(description: missing) }
        let folder = try makeTemporaryDirectory("herald-podman")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outPath = folder.appendingPathComponent("stdout").path
        let errPath = folder.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let words = [executable] + arguments
        let argv = words.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let stdout = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
        let stderr = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(
            status: exitStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs `podman arguments…` and returns its output; throws with its stderr when it fails.
    @discardableResult
    static func succeed(_ arguments: [String]) async throws -> String {
        let result = try await run(arguments)
        guard result.status == 0 else {
            throw Failure(
                description: "podman \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// `podman inspect --format FORMAT name`, trimmed.
    static func inspect(_ name: String, _ format: String) async throws -> String {
        try await succeed(["inspect", "--format", format, name]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The host folder behind a named volume.
    static func volumeFolder(_ volume: String) async throws -> URL {
        URL(
            fileURLWithPath: try await succeed(["volume", "inspect", "--format", "{{.Mountpoint}}", volume])
                .trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Removes containers and volumes a test made, whatever state they are in (blocking: for a
    /// `defer`, where nothing can be awaited).
    static func remove(containers: [String] = [], volumes: [String] = []) {
        for container in containers { _ = try? runBlocking(["rm", "--force", "--volumes", "--time", "0", container]) }
        for volume in volumes { _ = try? runBlocking(["volume", "rm", "--force", volume]) }
    }

    /// Polls `condition` until it holds or `timeout` passes; its last answer.
    static func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    /// A name no other test run uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

}
