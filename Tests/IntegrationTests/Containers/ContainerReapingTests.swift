import Foundation
import HeraldTestSupport
import Testing

/// Herald as PID 1 of the real image: the orphans an exec program leaves are reaped, and the
/// exec plugin still gets the program's own exit status. The image has no shell, so the host's
/// dash, sleep and setsid (which need only the C library the image carries) are mounted in.
@Suite(.serialized, .enabled(if: Podman.available, Comment(rawValue: Podman.missing)))
struct ContainerReapingTests {
    @Test func orphansOfExecProgramsAreReapedByHerald() async throws {
        let name = Podman.uniqueName("herald-reaping")
        defer { Podman.remove(containers: [name]) }
        let port = try SmtpTestServer.freePort()
        let config = try makeTemporaryDirectory()
        try """
        listen: ["127.0.0.1:\(port)"]
        state_dir: /var/lib/herald
        ingress: { insecure_no_auth: true }
        actions:
          run: { plugin: exec, program: /etc/herald/run.sh, timeout: 10s }
        routes:
          - name: run-it
            events: [registration.after]
            do: [{ action: run }]
        """.write(to: config.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        // The exec plugin gives a program no PATH: every command by its path.
        let script = config.appendingPathComponent("run.sh")
        try writeExecutable(
            """
            #!/bin/sh
            /bin/setsid /bin/sh -c ': > /tmp/left; exec /bin/sleep 1' &
            /bin/sleep 30 &
            while [ ! -e /tmp/left ]; do /bin/sleep 0.05; done
            echo 'leaving children behind' >&2
            exit 3
            """, to: script)
        chmod(config.path, 0o755)
        chmod(config.appendingPathComponent("herald.yaml").path, 0o644)

        var mounts = ["--volume", "\(config.path):/etc/herald:ro", "--tmpfs", "/tmp"]
        for (host, inside) in [("dash", "sh"), ("sleep", "sleep"), ("setsid", "setsid")] {
            let path = URL(fileURLWithPath: "/usr/bin/\(host)").resolvingSymlinksInPath().path
            mounts += ["--volume", "\(path):/bin/\(inside):ro"]
        }
        let options = ["--detach", "--name", name, "--read-only", "--network", "host", "--health-interval", "disable"]
        try await Podman.succeed(["run"] + options + mounts + [Podman.image])
        try await ContainerWait.ready("127.0.0.1:\(port)", container: name)
        let herald = try #require(pid_t(try await Podman.inspect(name, "{{.State.Pid}}")))

        let response = try RawHTTPClient(address: "127.0.0.1:\(port)").request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        var logs = ""
        let dead = try await Podman.eventually(timeout: .seconds(30)) {
            logs = try await Podman.run(["logs", name]).stderr
            return logs.contains("moved to dead letters")
        }
        #expect(dead, "\(logs)")
        #expect(logs.contains("exit 3; stderr: leaving children behind"), "\(logs)")
        let reaped = try await Integration.eventually(timeout: .seconds(20)) {
            ProcessOneTests.children(of: herald).isEmpty
        }
        #expect(reaped, "still children of herald: \(ProcessOneTests.children(of: herald))")

        try await Podman.succeed(["stop", "--time", "30", name])
        #expect(try await Podman.inspect(name, "{{.State.ExitCode}}") == "0")
    }
}
