import Foundation
import HeraldTestSupport
import Testing

/// `herald health`, what the image's HEALTHCHECK and Compose run: the configuration's first
/// listener (TCP or unix, its secrets unread) or --address, /healthz or /readyz, exit codes.
@Suite struct HealthCommandTests {
    @Test func aRunningDaemonIsHealthyAndReady() async throws {
        let (herald, address) = try await Integration.serve(Integration.outboxConfig())
        let health = try await Self.herald(["health", "--address", address])
        #expect(health.status == 0, "\(health.stderr)")
        #expect(health.stdout == "ok\n")
        let ready = try await Self.herald(["health", "--ready", "--address", address, "--timeout", "2s"])
        #expect(ready.status == 0, "\(ready.stderr)")
        #expect(ready.stdout == "ready\n")
        try await herald.stop()

        let stopped = try await Self.herald(["health", "--address", address])
        #expect(stopped.status == 1)
        #expect(stopped.stderr.contains("/healthz at \(address): connect to \(address) failed"), "\(stopped.stderr)")
    }

    /// The probe finds the listener in the configuration the daemon runs, and reads none of its
    /// secrets: a container's health check has the same files, but needs none of them.
    @Test func theListenerComesFromTheConfigurationWithoutItsSecrets() async throws {
        let directory = try makeTemporaryDirectory()
        let socket = directory.appendingPathComponent("herald.sock").path
        let config = """
            listen: ["unix:\(socket)"]
            state_dir: state
            ingress:
              auth: [{ api_key: { header: X-Herald-Key, value: "${credential:ingress-key}" } }]
            """
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let credentials = directory.appendingPathComponent("credentials")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        try "0123456789abcdef-ingress".write(
            to: credentials.appendingPathComponent("ingress-key"), atomically: true, encoding: .utf8)
        let herald = try HeraldProcess.start(
            ["serve", "--config", "herald.yaml"], in: directory,
            environment: ["CREDENTIALS_DIRECTORY": credentials.path])
        try await herald.waitForLog("herald ready")

        let ready = try await Self.herald(["health", "--ready", "--config", "herald.yaml"], in: directory)
        #expect(ready.status == 0, "\(ready.stderr)")
        #expect(ready.stdout == "ready\n")
        #expect(ready.stderr.isEmpty, "\(ready.stderr)")
        try await herald.stop()
    }

    @Test func mistakesAreUsageOrConfigurationErrors() async throws {
        let directory = try makeTemporaryDirectory()
        try "listen: [\"127.0.0.1:0\"]\ningress: { insecure_no_auth: true }\n".write(
            to: directory.appendingPathComponent("any-port.yaml"), atomically: true, encoding: .utf8)
        let anyPort = try await Self.herald(["health", "--config", "any-port.yaml"], in: directory)
        #expect(anyPort.status == 2)
        #expect(anyPort.stderr.contains("port 0"), "\(anyPort.stderr)")

        let bad = directory.appendingPathComponent("bad.yaml")
        try "listen: nowhere\n".write(to: bad, atomically: true, encoding: .utf8)
        #expect(try await Self.herald(["health", "--config", "bad.yaml"], in: directory).status == 78)
        #expect(try await Self.herald(["health", "--address", "nowhere"]).status == 2)
        #expect(try await Self.herald(["health", "--address", "fd:3"]).status == 2)
        #expect(try await Self.herald(["health", "--timeout", "soon", "--address", "127.0.0.1:1"]).status == 2)
        #expect(try await Self.herald(["health", "--live"]).status == 2)
        let help = try await Self.herald(["health", "--help"])
        #expect(help.status == 0 && help.stdout.hasPrefix("usage: herald health"))
    }

    /// `herald arguments…` to its end, off the cooperative pool.
    static func herald(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
    ) async throws -> HeraldProcess.Result {
        try await BlockingWork.run { try HeraldProcess.run(arguments, in: directory, environment: environment) }
    }
}
