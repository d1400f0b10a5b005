import Foundation
import HeraldTestSupport
import Testing

/// Herald as a container's init: PID 1 of a pid namespace of its own (`unshare --pid --fork`, as
/// root), as in an image run by podman, Docker or Kubernetes. The container tests
/// (scripts/test-containers) run the same through the real image.
@Suite(.enabled(if: PidNamespace.available, Comment(rawValue: PidNamespace.missing)))
struct ProcessOneTests {
    /// A program that leaves two orphans: one killed with its process group when it exits (the
    /// exec plugin does that), one that left the group (setsid) and ends a second later. Only
    /// PID 1 can reap them. It exits 3, which the exec plugin must still see.
    static let script = """
        #!/bin/sh
        cd "$(dirname "$0")"
        setsid sh -c 'touch left; exec sleep 1' &
        sleep 30 &
        # Exits only once the first has left the group, or the group's kill would take it too.
        while [ ! -e left ]; do sleep 0.05; done
        echo 'leaving children behind' >&2
        exit 3
        """

    @Test func orphansAreReapedAndTheProgramsExitStatusIsKept() async throws {
        let scripts = try makeTemporaryDirectory()
        let program = scripts.appendingPathComponent("run.sh")
        try writeExecutable(Self.script, to: program)
        let directory = try makeTemporaryDirectory()
        try """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress: { insecure_no_auth: true }
        actions:
          run: { plugin: exec, program: \(program.path), timeout: 10s }
        routes:
          - name: run-it
            events: [registration.after]
            do: [{ action: run }]
        """.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let launcher = try HeraldProcess.start(
            ["serve", "--config", "herald.yaml"], in: directory,
            launcher: ["/usr/bin/unshare", "--pid", "--fork", "--kill-child"])
        let address = try await launcher.listeningAddress()
        try await launcher.waitForLog("running as PID 1: reaping orphaned processes")
        let herald = try #require(Self.children(of: launcher.processIdentifier).first)

        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        let line = try await launcher.waitForLog("moved to dead letters")
        #expect(line.contains("exit 3; stderr: leaving children behind"), "\(line)")

        // Both orphans were handed to Herald; once the second has ended, neither may be left as
        // a zombie (nor anything else).
        let reaped = try await Integration.eventually(timeout: .seconds(20)) { Self.children(of: herald).isEmpty }
        #expect(reaped, "still children of herald: \(Self.children(of: herald))")

        // unshare exits with its child's status; it ignores SIGTERM itself.
        kill(herald, SIGTERM)
        #expect(try await launcher.waitForExit() == 0)
        #expect(launcher.output.contains("msg=stopped"))
    }

    /// The pids whose parent is `pid`, with their state (`Z` for a zombie), from /proc.
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let child = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { return nil }
            // "pid (comm) state ppid …": comm may hold anything, so the fields start after its ")".
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }
}

/// Whether this machine lets the tests make a pid namespace.
enum PidNamespace {
    static let missing = "Herald as PID 1 needs root and unshare (util-linux) that may create a pid namespace"

    static let available: Bool = {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--pid", "--fork", "/bin/true"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}
