import Foundation
import HeraldTestSupport
import Testing

/// Shared helpers: example payloads and a running daemon with a config written for the test.
enum Integration {
    /// `<package>/etc/examples`, the sample payloads shipped for users.
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc/examples")

    static func example(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: examples.appendingPathComponent(name)))
    }

    /// Writes `config` as herald.yaml in a fresh directory and starts `herald serve` on it.
    static func serve(_ config: String, environment: [String: String] = [:]) async throws -> (HeraldProcess, String) {
        let directory = try makeTemporaryDirectory()
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let process = try HeraldProcess.start(
            ["serve", "--config", "herald.yaml"], in: directory, environment: environment)
        let address = try await process.listeningAddress()
        return (process, address)
    }

    /// True when `python3` on the test's PATH can import every one of `modules` (the script tests
    /// skip, naming scripts/setup --ops, when it cannot).
    static func pythonCanImport(_ modules: String...) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import " + modules.joined(separator: ", ")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Files in `directory` with `suffix`, sorted.
    static func files(in directory: URL, suffix: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Polls until `condition` holds or `timeout` passes.
    static func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return try condition()
    }

    /// A config with an outbox action and one route per given event, on a free port.
    static func outboxConfig(extra: String = "", auth: String = "  insecure_no_auth: true") -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress:
        \(auth)
        actions:
          box:
            plugin: outbox
            directory: outbox
            from: { email: hello@example.com, name: Example }
        routes:
          - name: welcome
            events: [registration.after]
            when: { identity.traits.newsletter: true }
            do:
              - action: box
                to: "{{recipient}}"
                subject: "Welcome, {{identity.traits.name.first}}"
                html: "<p>Hi {{identity.traits.name.first}} &amp; welcome</p>"
                text: "Hi {{identity.traits.name.first}}"
          - name: sign-in
            events: ["login.*"]
            do:
              - action: box
                to: "{{recipient}}"
                subject: "New sign-in ({{event.method | default: 'unknown'}})"
                text: "From {{request_headers.User-Agent[0]}}"
        \(extra)
        """
    }
}
