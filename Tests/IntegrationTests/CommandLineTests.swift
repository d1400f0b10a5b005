import Foundation
import HeraldTestSupport
import Testing

@Suite struct CommandLineTests {
    @Test func versionAndHelp() throws {
        let version = try HeraldProcess.run(["version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("herald "))
        let help = try HeraldProcess.run(["--help"])
        #expect(help.status == 0)
        for command in ["serve", "check", "explain", "version"] { #expect(help.stdout.contains("  \(command) ")) }
        let explainHelp = try HeraldProcess.run(["explain", "--help"])
        #expect(explainHelp.stdout.hasPrefix("usage: herald explain"))
        // Issue 9: --version works like version, and a mistyped command gets a suggestion.
        let dashed = try HeraldProcess.run(["--version"])
        #expect(dashed.status == 0 && dashed.stdout == version.stdout)
        let typo = try HeraldProcess.run(["chek"])
        #expect(typo.status == 2 && typo.stderr.contains("unknown command 'chek'; did you mean 'check'?"))
        // `herald help check` is `herald check --help`; help for what is not a command is refused.
        let helpCheck = try HeraldProcess.run(["help", "check"])
        let checkHelp = try HeraldProcess.run(["check", "--help"])
        #expect(helpCheck.status == 0 && helpCheck.stdout == checkHelp.stdout)
        let helpTypo = try HeraldProcess.run(["help", "chek"])
        #expect(helpTypo.status == 2 && helpTypo.stderr.hasPrefix("herald: no help for 'chek'; did you mean 'check'?"))
    }

    /// Issue 9: the walkthrough's step 4 on a copy of the production example, as a shell user
    /// without its credentials: check and explain work with --no-secrets, and the explanation
    /// shows the welcome route and the password method from the hook.
    @Test func theProductionExampleWorksFromACopyWithoutSecrets() throws {
        let directory = try makeTemporaryDirectory()
        let copy = directory.appendingPathComponent("my-herald")
        try FileManager.default.copyItem(at: SystemTools.repository.appendingPathComponent("etc/herald"), to: copy)
        let check = try HeraldProcess.run(
            ["check", "--no-secrets", "--config", "my-herald/herald.yaml"], in: directory)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("routes:") && check.stdout.contains("welcome:"))
        #expect(check.stderr.isEmpty, "\(check.stderr)")
        let explain = try HeraldProcess.run(
            [
                "explain", "--no-secrets", "--config", "my-herald/herald.yaml", "--event", "registration.after",
                "--method", "password", Integration.examples.appendingPathComponent("registration-after.json").path,
            ], in: directory)
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("event.method=password"))
        #expect(explain.stdout.contains("route 'welcome'") && explain.stdout.contains("MATCH"))
        let withoutSecrets = try HeraldProcess.run(["check", "--config", "my-herald/herald.yaml"], in: directory)
        #expect(withoutSecrets.status == 78)
        #expect(withoutSecrets.stderr.contains("export CREDENTIALS_DIRECTORY"))
    }

    @Test func usageMistakesExitWith2() throws {
        #expect(try HeraldProcess.run([]).status == 2)
        #expect(try HeraldProcess.run(["launch"]).status == 2)
        #expect(try HeraldProcess.run(["check", "--frobnicate"]).status == 2)
        // A value left out is named with the command's usage, not the overview.
        let noValue = try HeraldProcess.run(["check", "--config"])
        #expect(noValue.status == 2)
        #expect(noValue.stderr.hasPrefix("herald: --config needs a value\n\nusage: herald check"), "\(noValue.stderr)")
        // export always prints JSON: --json is forget's option, not export's.
        let exportJSON = try HeraldProcess.run(["export", "--json", "--email", "a@example.com"])
        #expect(exportJSON.status == 2 && exportJSON.stderr.hasPrefix("herald: unknown option '--json'"))
        #expect(try HeraldProcess.run(["explain"]).status == 2)
        let missingEvent = try HeraldProcess.run([
            "explain", Integration.examples.appendingPathComponent("login-after.json").path,
        ])
        #expect(missingEvent.status == 2)
        #expect(missingEvent.stderr.contains("--event"))
        // An option mistyped before any command is named as such, not as a missing command.
        let option = try HeraldProcess.run(["--verison"])
        #expect(option.status == 2)
        #expect(option.stderr.hasPrefix("herald: unknown option '--verison'\n"), "\(option.stderr)")
    }

    @Test func explainShowsMatchesFailuresAndJobsWithoutSending() throws {
        let directory = try makeTemporaryDirectory()
        let config = Integration.outboxConfig(
            extra: """
                  - name: newsletter-off
                    events: [registration.after]
                    when: { identity.traits.newsletter: false }
                    do: [{ action: box, to: "{{recipient}}", text: "sorry" }]
                """)
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let payload = Integration.examples.appendingPathComponent("registration-after.json").path
        let result = try HeraldProcess.run(
            ["explain", "--event", "registration.after", "--config", "herald.yaml", payload], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("route 'welcome' (herald.yaml:11:5): MATCH"))
        #expect(result.stdout.contains("\"subject\": \"Welcome, Jane\""))
        #expect(result.stdout.contains("route 'sign-in' (herald.yaml:20:5): not listening (events: login.*)"))
        #expect(result.stdout.contains("route 'newsletter-off' (herald.yaml:27:5): no match"))
        #expect(result.stdout.contains("failed: identity.traits.newsletter equals false"))
        #expect(result.stdout.contains("saw: true   at herald.yaml:29:13"))
        #expect(result.stdout.hasSuffix("1 route(s) matched, 1 job(s) planned; nothing was sent.\n"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("outbox").path))
    }

    /// README's first command: `herald serve` with no config file at all.
    @Test func embeddedDefaultConfigServesOnLoopback() async throws {
        let directory = try makeTemporaryDirectory()
        let herald = try HeraldProcess.start(["serve"], in: directory)
        let address = try await herald.listeningAddress()
        #expect(address == "127.0.0.1:4470")
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        let outbox = directory.appendingPathComponent("herald-state/outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        #expect(try await herald.stop() == 0)
    }
}
