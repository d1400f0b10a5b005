import Foundation
import HeraldCore
import Testing

@testable import ExecPlugin

/// Real programs (/bin/sh scripts given with -c as argv, never through a shell of Herald's):
/// stdin, environment, exit statuses, timeouts that kill the group, bounded output.
@Suite struct ExecRunnerTests {
    static func command(
        _ script: String, input: String = "", environment: [String] = [], directory: String? = nil,
        limit: Int = 64 * 1024
    ) -> ExecCommand {
        ExecCommand(
            program: "/bin/sh", searchesPath: false, arguments: ["sh", "-c", script], environment: environment,
            workingDirectory: directory, input: Array(input.utf8), outputLimit: limit)
    }

    static func text(_ tail: ExecOutputTail) -> String { String(decoding: tail.kept, as: UTF8.self) }

    @Test func stdinReachesTheProgramAndItsOutputComesBack() async {
        let input = String(repeating: "{\"payload\":true}\n", count: 20_000)  // larger than a pipe's buffer
        let result = await ExecRunner.run(Self.command("wc -c; echo oops >&2", input: input), timeout: .seconds(10))
        #expect(result.termination == .exited(0))
        #expect(Self.text(result.stdout).trimmingCharacters(in: .whitespacesAndNewlines) == String(input.utf8.count))
        #expect(Self.text(result.stderr) == "oops\n")
    }

    @Test func theEnvironmentIsOnlyWhatIsGiven() async {
        let result = await ExecRunner.run(
            Self.command("env | sort", environment: ["A=1", "HERALD_JOB_ID=x"]), timeout: .seconds(10))
        let names = Self.text(result.stdout).split(separator: "\n").map { $0.split(separator: "=").first ?? "" }
        // sh itself adds PWD (and may add SHLVL, _); nothing of the test process's environment.
        #expect(Set(names).subtracting(["PWD", "SHLVL", "_"]) == ["A", "HERALD_JOB_ID"], "\(names)")
        #expect(ProcessInfo.processInfo.environment["HOME"] != nil)
    }

    @Test func theWorkingDirectoryIsUsed() async {
        let result = await ExecRunner.run(Self.command("pwd", directory: "/usr"), timeout: .seconds(10))
        #expect(Self.text(result.stdout) == "/usr\n")
    }

    @Test(arguments: [0, 3, 75, 255]) func exitStatusesAreKept(status: Int32) async {
        let result = await ExecRunner.run(Self.command("exit \(status)"), timeout: .seconds(10))
        #expect(result.termination == .exited(status))
    }

    /// So that Herald as PID 1 (ChildReaper) never reaps it and takes its exit status.
    @Test func aRunningProgramIsRegisteredAsItsOwnersUntilReaped() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: marker) }
        let run = Task {
            await ExecRunner.run(Self.command("echo $$ > \(marker.path); exec sleep 30"), timeout: .seconds(60))
        }
        var text = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while !text.hasSuffix("\n") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            text = (try? String(contentsOf: marker, encoding: .utf8)) ?? ""
        }
        let pid = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(ChildProcesses.shared.owns(pid))
        run.cancel()
        #expect(await run.value.termination == .cancelled)
        #expect(!ChildProcesses.shared.owns(pid))
    }

    @Test func aSignalFromElsewhereIsReported() async {
        let result = await ExecRunner.run(Self.command("kill -SEGV $$"), timeout: .seconds(10))
        #expect(result.termination == .signaled(SIGSEGV))
    }

    @Test func aTimeoutKillsTheWholeGroupAndLeavesNoOrphan() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: marker) }
        let result = await ExecRunner.run(
            // Time enough for the shell to start its child and note it, on a loaded machine too.
            Self.command("sleep 30 & echo $! > \(marker.path); wait"), timeout: .seconds(2))
        #expect(result.termination == .timedOut)
        let child = try #require(
            Int32(String(contentsOf: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await Self.isGone(child), "the program's child \(child) survived")
    }

    @Test func childrenLeftBehindDieWithTheProgram() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: marker) }
        let result = await ExecRunner.run(
            Self.command("sleep 30 >/dev/null 2>&1 & echo $! > \(marker.path); exit 0"), timeout: .seconds(10))
        #expect(result.termination == .exited(0))
        let child = try #require(
            Int32(String(contentsOf: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await Self.isGone(child), "the program's child \(child) survived")
    }

    @Test func megabytesOfOutputAreBoundedAndDoNotBlock() async {
        let result = await ExecRunner.run(
            Self.command(
                "head -c 8000000 /dev/zero | tr '\\0' x; head -c 3000000 /dev/zero | tr '\\0' y >&2; printf '\\nend\\n' >&2",
                limit: 4096), timeout: .seconds(30))
        #expect(result.termination == .exited(0))
        #expect(result.stdout.total == 8_000_000)
        #expect(result.stdout.kept.count == 4096)
        #expect(result.stderr.total == 3_000_005)
        #expect(result.stderr.bytes.count <= 2 * 4096)
        #expect(result.stderr.lastLines(1) == ["end"])
    }

    @Test func aMissingProgramIsNotStarted() async {
        var command = Self.command("")
        command.program = "/nonexistent/program"
        let result = await ExecRunner.run(command, timeout: .seconds(5))
        #expect(result.termination == .notStarted(ENOENT))
    }

    @Test func cancellingTheTaskKillsTheProgram() async {
        let task = Task { await ExecRunner.run(Self.command("sleep 30"), timeout: .seconds(60)) }
        try? await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.value
        #expect(result.termination == .cancelled)
    }

    /// True once `pid` no longer runs (gone, or a zombie waiting for a reaper that is not ours).
    static func isGone(_ pid: Int32) async throws -> Bool {
        for _ in 0..<100 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
