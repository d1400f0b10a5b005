import Foundation
import HeraldTestSupport
import Testing

/// Socket activation with systemd's own tool: `systemd-socket-activate` binds the address, waits
/// for a client, then execs herald with the socket as fd 3 (LISTEN_FDS=1, LISTEN_FDNAMES=http).
@Suite struct SystemdSocketActivationTests {
    @Test(.enabled(if: SystemTools.path("systemd-socket-activate") != nil, "systemd-socket-activate is not installed: run scripts/setup --ops"))
    func servesOnTheSocketSystemdPasses() async throws {
        let activator = try #require(SystemTools.path("systemd-socket-activate"))
        let port = try SystemTools.freePort()
        let configuredPort = try SystemTools.freePort()
        let directory = try makeTemporaryDirectory()
        // listen: names another port, to show it is not used.
        let config = Integration.outboxConfig().replacingOccurrences(
            of: #"listen: ["127.0.0.1:0"]"#, with: #"listen: ["127.0.0.1:\#(configuredPort)"]"#)
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let herald = try HeraldProcess.start(
            ["serve", "--config", "herald.yaml"], in: directory,
            launcher: [activator, "--listen=127.0.0.1:\(port)", "--fdname=http"])
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
        #expect(throws: (any Error).self) { try RawHTTPClient(address: "127.0.0.1:\(configuredPort)", timeout: .seconds(1)) }

        let outbox = herald.directory.appendingPathComponent("outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        #expect(try await herald.stop() == 0)
    }

    @Test(.enabled(if: SystemTools.path("systemd-socket-activate") != nil, "systemd-socket-activate is not installed: run scripts/setup --ops"))
    func refusesInsecureNoAuthOnASocketOthersReach() async throws {
        let activator = try #require(SystemTools.path("systemd-socket-activate"))
        let port = try SystemTools.freePort()
        let directory = try makeTemporaryDirectory()
        try Integration.outboxConfig().write(
            to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let herald = try HeraldProcess.start(
            ["serve", "--config", "herald.yaml"], in: directory, launcher: [activator, "--listen=0.0.0.0:\(port)"])
        try await herald.waitForLog("Listening on 0.0.0.0:\(port)")
        _ = try? RawHTTPClient(address: "127.0.0.1:\(port)", timeout: .seconds(2)).request("GET", "/healthz")
        #expect(try await herald.waitForExit() == 78)
        #expect(herald.output.contains("insecure_no_auth is only allowed on loopback or unix sockets"))
    }
}
