import Foundation
import HeraldTestSupport
import Testing

/// Socket activation with systemd's own tool: `systemd-socket-activate` binds the address, waits
/// for a client, then execs herald with the socket as fd 3 (LISTEN_FDS=1, LISTEN_FDNAMES=http).
@Suite struct SystemdSocketActivationTests {
    static let activator = SystemTools.path("systemd-socket-activate")

    /// Writes `config` and starts herald under the activator listening on `address`.
    static func activate(_ config: String, address: String, name: String? = nil) throws -> (SpawnedProcess, URL) {
        let activator = try #require(activator)
        let directory = try makeTemporaryDirectory()
        let configURL = directory.appendingPathComponent("herald.yaml")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let arguments =
            [activator, "--listen=\(address)"] + (name.map { ["--fdname=\($0)"] } ?? [])
            + [HeraldProcess.executableURL.path, "serve", "--config", configURL.path]
        return (try SpawnedProcess(arguments, log: directory.appendingPathComponent("herald.log")), directory)
    }

    @Test(.enabled(if: activator != nil, "systemd-socket-activate is not installed: run scripts/setup --ops"))
    func servesOnTheSocketSystemdPasses() async throws {
        let port = try SystemTools.freePort()
        let configuredPort = try SystemTools.freePort()
        // listen: names another port, to show it is not used.
        let config = Integration.outboxConfig().replacingOccurrences(
            of: #"listen: ["127.0.0.1:0"]"#, with: #"listen: ["127.0.0.1:\#(configuredPort)"]"#)
        let (herald, directory) = try Self.activate(config, address: "127.0.0.1:\(port)", name: "http")
        try await herald.waitForLog("Listening on 127.0.0.1:\(port)")

        // The first connection makes the activator exec herald, which accepts it.
        let client = try RawHTTPClient(address: "127.0.0.1:\(port)")
        let response = try client.request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202, "\(herald.output)")
        let adopted = try await herald.waitForLog("using sockets passed by systemd")
        #expect(adopted.contains(#"sockets="http=fd:3""#))
        #expect(adopted.contains("configured=127.0.0.1:\(configuredPort)"))
        try await herald.waitForLog("msg=listening address=127.0.0.1:\(port)")
        // Not bound: herald lists every address it listens on, and the configured one is not
        // among them (connecting to it would race with other tests taking free ports).
        #expect(!herald.output.contains("msg=listening address=127.0.0.1:\(configuredPort)"))

        let outbox = directory.appendingPathComponent("outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        herald.signal(SIGTERM)
        #expect(try await herald.waitForExit() == 0)
    }

    @Test(.enabled(if: activator != nil, "systemd-socket-activate is not installed: run scripts/setup --ops"))
    func refusesInsecureNoAuthOnASocketOthersReach() async throws {
        let port = try SystemTools.freePort()
        let (herald, _) = try Self.activate(Integration.outboxConfig(), address: "0.0.0.0:\(port)")
        try await herald.waitForLog("Listening on 0.0.0.0:\(port)")
        _ = try? RawHTTPClient(address: "127.0.0.1:\(port)", timeout: .seconds(2)).request("GET", "/healthz")
        #expect(try await herald.waitForExit() == 78)
        #expect(herald.output.contains("insecure_no_auth is only allowed on loopback or unix sockets"))
    }
}
