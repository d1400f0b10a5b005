import Foundation
import HeraldTestSupport
import Testing

/// The web console in a real browser (Tests/Browser/console_browser.py: chromium through
/// chromium-driver and selenium, from scripts/setup --ops) against the real `herald` binary: log
/// in, see an event arrive, find its dead letter, fix the key, retry it and watch it deliver,
/// use the playground; no cookie gets a redirect or 401; a cross-site post is refused. Each page's
/// screenshot lands in docs/console/.
@Suite(.enabled(if: ConsoleBrowser.available, Comment(rawValue: ConsoleBrowser.missing)))
struct ConsoleBrowserTests {
    static let goodKey = "md-right-key-0123456789"

    @Test func anOperatorFindsADeadLetterRetriesItAndUsesThePlayground() async throws {
        let server = try MandrillTestServer(keys: [Self.goodKey], templates: ["welcome"])
        defer { server.stop() }
        try server.start()
        let baseURL = try #require(server.baseURL)
        let directory = try makeTemporaryDirectory()
        let keyFile = directory.appendingPathComponent("mandrill.key")
        try "md-wrong-key-0123456789".write(to: keyFile, atomically: true, encoding: .utf8)
        let config = """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h } }
            console: { listen: "127.0.0.1:0", password: "${env:CONSOLE_PASSWORD}" }
            actions:
              mail: { plugin: mandrill, api_key: "${file:mandrill.key}", base_url: "\(baseURL)", from: hello@example.com }
            routes:
              - name: welcome
                events: [registration.after]
                do: [{ action: mail, template: welcome, to: "{{recipient}}" }]
            """
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let password = "correct-horse-battery-staple"
        let herald = try HeraldProcess.start(
            ["serve", "--config", "herald.yaml"], in: directory, environment: ["CONSOLE_PASSWORD": password])
        let ingress = try await herald.listeningAddress()
        let line = try await herald.waitForLog("console listening")
        let console = try #require(line.range(of: "console_address=")).upperBound
        let consoleAddress = String(line[console...].prefix { $0 != " " })

        let (status, output) = try ConsoleBrowser.run([
            "CONSOLE_URL": "http://\(consoleAddress)", "INGRESS_URL": "http://\(ingress)",
            "CONSOLE_PASSWORD": password, "HERALD_PID": String(herald.processIdentifier),
            "KEY_FILE": keyFile.path, "GOOD_KEY": Self.goodKey, "SCREENSHOTS": ConsoleBrowser.screenshots.path,
        ])
        if status == ConsoleBrowser.cannotRun {
            _ = try await herald.stop()
            try Test.cancel(Comment(rawValue: output.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        #expect(status == 0, "\(output)\n\(herald.output.suffix(3000))")
        // The retried dead letter reached Mandrill with the right key.
        #expect(server.messages.count == 1)
        #expect(try await herald.stop() == 0)
    }
}

/// Whether the browser test can run here, and where its files are.
enum ConsoleBrowser {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("Tests/Browser/console_browser.py")
    static let screenshots = root.appendingPathComponent("docs/console")

    static let missing =
        isRequested
        ? "needs chromium, chromium-driver (/usr/bin/chromedriver) and python3's selenium: scripts/setup --ops"
        : "runs on its own with HERALD_BROWSER_TESTS=1, as scripts/test does (beside the other tests, chromium starves the timing-bound ones on two cores)"

    /// scripts/test runs this suite alone after the others, with the variable set.
    static let isRequested = ProcessInfo.processInfo.environment["HERALD_BROWSER_TESTS"] == "1"

    /// The script's exit status when chromium cannot start here.
    static let cannotRun: Int32 = 77

    /// Runs the script with `environment` added to the test's own; its status and its output.
    static func run(_ environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Chromium is the heaviest thing in the suite: at a lower priority it does not starve the
        // timing-bound tests that run beside it on a two-core machine.
        process.arguments = ["nice", "-n", "10", "python3", script.path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // One pipe for both: the output is only read to explain a failure.
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static let available: Bool =
        isRequested && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        && Integration.pythonCanImport("selenium")
}
