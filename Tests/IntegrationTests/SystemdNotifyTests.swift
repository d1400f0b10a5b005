import Foundation
import HeraldTestSupport
import Testing

/// The real binary under a fake service manager: `NOTIFY_SOCKET` is a datagram socket the test
/// owns, as systemd's would be for `Type=notify`.
@Suite struct SystemdNotifyTests {
    static let brokenConfig = """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress:
          insecure_no_auth: true
        colour: blue
        routes:
          - name: welcome
            events: [registration.aftr]
            do:
              - action: nowhere
        """

    static let patience: Duration = .seconds(30)

    @Test func readyReloadingWatchdogAndStopping() async throws {
        let listener = try NotifySocketListener(abstract: true)
        let directory = try makeTemporaryDirectory()
        let configURL = directory.appendingPathComponent("herald.yaml")
        try Integration.outboxConfig().write(to: configURL, atomically: true, encoding: .utf8)
        let herald = try HeraldProcess.start(
            ["serve", "--config", "herald.yaml"], in: directory,
            environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"])
        let address = try await herald.listeningAddress()

        let ready = try await listener.waitFor("READY=1") { $0.hasPrefix("READY=1") }
        #expect(NotifySocketListener.value("STATUS", in: ready) == "ready: listening on \(address); 2 routes, 1 action")
        try await listener.waitFor("WATCHDOG=1") { $0 == "WATCHDOG=1" }
        try await herald.waitForLog("systemd watchdog on")

        // A good reload: RELOADING=1 with the monotonic time, then READY=1 saying it was applied.
        // Generous bounds: with the whole suite running in parallel on two cores, herald's threads
        // (the watchdog pings show it) can wait seconds for a core; what is checked is the order.
        herald.signal(SIGHUP)
        let reloading = try await listener.waitFor("RELOADING=1", timeout: Self.patience) { $0.hasPrefix("RELOADING=1") }
        let stamp = NotifySocketListener.value("MONOTONIC_USEC", in: reloading).flatMap { UInt64($0) }
        #expect(stamp != nil && stamp! > 0, "MONOTONIC_USEC missing in \(reloading)")
        let reloaded = try await listener.waitFor("READY=1 after reload", timeout: Self.patience) {
            $0.hasPrefix("READY=1")
        }
        #expect(
            NotifySocketListener.value("STATUS", in: reloaded) == "ready: configuration reloaded; 2 routes, 1 action")

        // A broken file: refused, and the status says so; the daemon keeps serving.
        try Self.brokenConfig.write(to: configURL, atomically: true, encoding: .utf8)
        herald.signal(SIGHUP)
        try await listener.waitFor("RELOADING=1", timeout: Self.patience) { $0.hasPrefix("RELOADING=1") }
        let refused = try await listener.waitFor("READY=1 after refused reload", timeout: Self.patience) {
            $0.hasPrefix("READY=1")
        }
        let status = try #require(NotifySocketListener.value("STATUS", in: refused))
        #expect(status.hasPrefix("reload refused: "), "\(status)")
        #expect(status.hasSuffix(" problems in herald.yaml; running configuration kept"), "\(status)")
        #expect(try RawHTTPClient(address: address).request("GET", "/healthz").status == 200)

        // Watchdog pings go on while the loops answer.
        try await listener.waitFor("WATCHDOG=1 after reloads") { $0 == "WATCHDOG=1" }

        herald.signal(SIGTERM)
        let stopping = try await listener.waitFor("STOPPING=1") { $0.hasPrefix("STOPPING=1") }
        #expect(NotifySocketListener.value("STATUS", in: stopping)?.hasPrefix("stopping") == true)
        #expect(try await herald.waitForExit() == 0)
        // No watchdog ping after STOPPING=1.
        let after = listener.messages.drop { !$0.hasPrefix("STOPPING=1") }.dropFirst()
        #expect(!after.contains("WATCHDOG=1"), "\(listener.messages)")
    }

    @Test func aFileSocketPathWorksAndNoWatchdogWithoutWatchdogUsec() async throws {
        let listener = try NotifySocketListener(abstract: false)
        let (herald, _) = try await Integration.serve(
            Integration.outboxConfig(), environment: ["NOTIFY_SOCKET": listener.path])
        try await listener.waitFor("READY=1") { $0.hasPrefix("READY=1") }
        try await Task.sleep(for: .milliseconds(300))
        while listener.receive(timeout: .zero) != nil {}
        #expect(!listener.messages.contains("WATCHDOG=1"))
        #expect(!herald.output.contains("watchdog"))
        try await herald.stop()
        try await listener.waitFor("STOPPING=1") { $0.hasPrefix("STOPPING=1") }
    }

    @Test func withoutNotifySocketNothingIsSent() async throws {
        let (herald, address) = try await Integration.serve(Integration.outboxConfig())
        #expect(try RawHTTPClient(address: address).request("GET", "/healthz").status == 200)
        #expect(!herald.output.contains("systemd"))
        #expect(try await herald.stop() == 0)
    }
}
