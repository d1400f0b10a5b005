import Foundation
import HeraldTestSupport
import Testing

/// The image `make image` builds, run by podman as an operator runs it: read-only, as its
/// non-root user, without capabilities, the starter configuration with its secret in
/// /run/secrets and its state on a volume (scripts/test-containers).
@Suite(.serialized, .enabled(if: Podman.available, Comment(rawValue: Podman.missing)))
struct ContainerImageTests {
    /// The port of the image's starter configuration (`listen: [":4470"]`).
    static let port = 4470
    static let key = "container-test-ingress-key-0123456789"

    @Test func theImageIsMinimalNonRootAndLabelled() async throws {
        let inspected = try JSONSerialization.jsonObject(
            with: Data(try await Podman.succeed(["image", "inspect", Podman.image]).utf8))
        let image = try #require((inspected as? [[String: Any]])?.first)
        let config = try #require(image["Config"] as? [String: Any])
        #expect(config["User"] as? String == "65532:65532")
        #expect(config["Entrypoint"] as? [String] == ["/usr/bin/herald"])
        #expect(config["Cmd"] as? [String] == ["serve"])
        #expect((config["Env"] as? [String])?.contains("CREDENTIALS_DIRECTORY=/run/secrets") == true)
        #expect((config["Volumes"] as? [String: Any])?.keys.contains("/var/lib/herald") == true)
        // The docker format keeps it (podman shows it beside the configuration).
        #expect((image["Healthcheck"] as? [String: Any])?["Test"] as? [String] == ["CMD", "/usr/bin/herald", "health"])
        let labels = try #require(config["Labels"] as? [String: String])
        let version = "herald " + (try await DeployFiles.version())
        #expect("herald " + (labels["org.opencontainers.image.version"] ?? "") == version)
        #expect(labels["org.opencontainers.image.licenses"] == "Apache-2.0")
        #expect(labels["org.opencontainers.image.source"]?.hasPrefix("https://") == true)
        #expect(labels["org.opencontainers.image.revision"]?.count == 40)

        // The binary runs (every library it loads is there), and nothing else is: no shell.
        #expect(
            try await Podman.succeed(["run", "--rm", "--network", "none", Podman.image, "version"]) == version + "\n")
        let shell = try await Podman.run(["run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", Podman.image])
        #expect(shell.status != 0)
        // The starter configuration is valid as shipped.
        let check = try await Podman.run(["run", "--rm", "--network", "none", Podman.image, "check", "--no-secrets"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("welcome"))
    }

    /// README's walkthrough in the image: the payload posted with the ingress key lands as a
    /// message in the outbox on the state volume; check and health run inside; SIGTERM drains
    /// and exits 0.
    @Test func theWalkthroughRunsReadOnlyAsNonRoot() async throws {
        let name = Podman.uniqueName("herald-walkthrough")
        let volume = name + "-state"
        defer { Podman.remove(containers: [name], volumes: [volume]) }
        let secrets = try makeTemporaryDirectory()
        let keyFile = secrets.appendingPathComponent("ingress-key")
        try (Self.key + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        // As Kubernetes mounts a Secret for the pod's user: readable by herald alone.
        chown(keyFile.path, 65532, 65532)
        chmod(keyFile.path, 0o400)
        chmod(secrets.path, 0o755)
        #expect(
            (try? RawHTTPClient(address: "127.0.0.1:\(Self.port)")) == nil,
            "port \(Self.port) is taken on this machine; the image's starter configuration listens there")

        try await Podman.succeed([
            "run", "--detach", "--name", name, "--read-only", "--network", "host", "--cap-drop", "all",
            "--security-opt", "no-new-privileges", "--health-interval", "disable",
            "--volume", "\(secrets.path):/run/secrets:ro", "--volume", "\(volume):/var/lib/herald", Podman.image,
        ])
        let address = "127.0.0.1:\(Self.port)"
        try await ContainerWait.ready(address, container: name)

        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", headers: [("X-Herald-Key", Self.key)],
            body: try Integration.example("registration-after.json"))
        #expect(response.status == 202, "\(response.text)")
        #expect(response.text.contains(#""routes":["welcome"]"#))
        let unauthenticated = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(unauthenticated.status == 401)

        let outbox = try await Podman.volumeFolder(volume).appendingPathComponent("outbox")
        let written = try await Integration.eventually(timeout: .seconds(30)) {
            !Integration.files(in: outbox, suffix: ".eml").isEmpty
        }
        #expect(written)
        let message = try String(
            contentsOf: try #require(Integration.files(in: outbox, suffix: ".eml").first), encoding: .utf8)
        #expect(message.contains("To: jane.doe@example.com"), "\(message)")
        #expect(message.contains("Subject: Welcome, Jane!"), "\(message)")

        // Herald runs as the image's user, with the secret it can read and nothing more.
        let pid = try await Podman.inspect(name, "{{.State.Pid}}")
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        #expect(status.contains("Uid:\t65532\t65532\t65532\t65532"), "\(status)")
        #expect(status.contains("CapEff:\t0000000000000000"), "\(status)")
        #expect(try await Podman.inspect(name, "{{.HostConfig.ReadonlyRootfs}}") == "true")

        #expect(try await Podman.succeed(["exec", name, "herald", "health"]) == "ok\n")
        #expect(try await Podman.succeed(["exec", name, "herald", "health", "--ready"]) == "ready\n")
        let healthcheck = try await Podman.run(["healthcheck", "run", name])
        #expect(healthcheck.status == 0, "\(healthcheck.stdout) \(healthcheck.stderr)")
        let check = try await Podman.run(["exec", name, "herald", "check"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("welcome"))

        try await Podman.succeed(["stop", "--time", "30", name])
        #expect(try await Podman.inspect(name, "{{.State.ExitCode}}") == "0")
        let logs = try await Podman.run(["logs", name])
        #expect(logs.stderr.contains("msg=stopping signal=15"), "\(logs.stderr)")
        #expect(logs.stderr.contains("msg=stopped"), "\(logs.stderr)")
        #expect(logs.stderr.contains("running as PID 1"), "\(logs.stderr)")
    }
}

/// Waiting for a container's Herald.
enum ContainerWait {
    /// Until `/readyz` at `address` answers 200; throws with the container's log if it never does.
    static func ready(_ address: String, container: String) async throws {
        let ready = try await Podman.eventually(timeout: .seconds(60)) {
            guard let client = try? RawHTTPClient(address: address, timeout: .seconds(2)) else { return false }
            return (try? client.request("GET", "/readyz").status) == 200
        }
        guard ready else {
            let logs = (try? await Podman.run(["logs", container])).map { $0.stdout + $0.stderr } ?? ""
            throw Podman.Failure(description: "\(container) did not become ready at \(address):\n\(logs)")
        }
    }
}
