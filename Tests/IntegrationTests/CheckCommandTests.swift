import Foundation
import HeraldTestSupport
import Testing

/// `herald check`: every mistake at once, as file:line:column with the line and a caret; exit 78.
@Suite struct CheckCommandTests {
    private func check(_ config: String, files: [String: String] = [:], environment: [String: String] = [:]) throws
        -> HeraldProcess.Result
    {
        let directory = try makeTemporaryDirectory()
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory, environment: environment)
    }

    /// Issue 18: the summary names the job store the configuration uses, never the DSN.
    @Test func theSummaryNamesTheStore() throws {
        let base = """
            listen: ["127.0.0.1:4470"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            actions: { box: { plugin: outbox } }
            routes: [{ name: all, events: ["*.after"], do: [{ action: box, to: "a@example.com", text: hi }] }]

            """
        let local = try check(base)
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.stdout.contains("store: local (the spool in "), "\(local.stdout)")
        let shared = try check(
            base + #"store: { postgres: { dsn: "host=db.internal dbname=herald password=s3cret-pw", lease: 9s } }"#)
        #expect(shared.status == 0, "\(shared.stderr)")
        #expect(
            shared.stdout.contains("store: postgres (lease 9s, poll_interval 1s, max_batch 256)"), "\(shared.stdout)")
        #expect(!shared.stdout.contains("s3cret-pw") && !shared.stdout.contains("db.internal"))
        #expect(!local.stdout.contains("tracing:"))
        let traced = try check(
            base + #"tracing: { endpoint: "https://user:pw@otlp.example.com:4318/v1/traces?k=1", batch_size: 100 }"#)
        #expect(traced.status == 0, "\(traced.stderr)")
        #expect(
            traced.stdout.contains(
                "tracing: spans of sampled traces to https://otlp.example.com:4318/v1/traces "
                    + "(batch_size 100, buffer 4096, interval 5s)"), "\(traced.stdout)")
        #expect(!traced.stdout.contains("pw@") && !traced.stdout.contains("k=1"))
    }

    @Test func reportsEveryMistakeWithItsPosition() throws {
        let config = """
            listen: ["0.0.0.0:4470", "nowhere"]
            state_dir: state
            ingress:
              insecure_no_auth: true
              limits: { max_body_bytes: lots }
            delivery:
              retry: { schedule: [5s, soon], jitter: 2 }
            actions:
              box: { plugin: outbx }
              mail: { plugin: outbox, directry: x }
            routes:
              - name: welcome
                events: [registration.aftr, "*.after"]
                when: { identity.traits.newsletter: {equal: true} }
                do:
                  - action: mial
                  - action: mail
                    to: "{{recipient}}"
                    subject: "Hi {{identity.traits.name.first"
              - name: welcome
                events: [registration.before]
                do:
                  - action: mail
                    to: "{{identity.traits.email}}"
                    text: hi
                    colour: blue
            """
        let result = try check(config)
        #expect(result.status == 78)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("herald.yaml:") }.map { String($0) }
        let expected = [
            "herald.yaml:1:26: 'nowhere' is not a listen address",
            "herald.yaml:4:21: insecure_no_auth is only allowed when every listener is loopback",
            "herald.yaml:5:29: 'max_body_bytes' must be an integer, found a string lots",
            "herald.yaml:7:27: 'schedule' must be a duration such as 500ms, 30s, 5m, 1h30m or 2d, found soon",
            "herald.yaml:7:42: 'jitter' must be between 0.0 and 1.0, found 2.0",
            "herald.yaml:9:18: unknown plugin 'outbx'; did you mean 'outbox'?",
            "herald.yaml:10:27: unknown key 'directry' in action 'mail'; did you mean 'directory'?",
            "herald.yaml:13:14: no event is called 'registration.aftr'; did you mean 'registration.after'?",
            "herald.yaml:14:42: unknown operator 'equal' for identity.traits.newsletter; did you mean 'equals'?",
            "herald.yaml:16:17: unknown action 'mial'; did you mean 'mail'?",
            "herald.yaml:19:22: '{{' is not closed with '}}'",
            "herald.yaml:20:11: route name 'welcome' is used twice (first at herald.yaml:12:11)",
            "herald.yaml:24:16: 'identity.traits.email' can never exist: payloads of registration.before have no 'identity'",
            "herald.yaml:26:9: unknown key 'colour' in step 1 of route 'welcome'",
        ]
        for (index, prefix) in expected.enumerated() {
            #expect(
                index < lines.count && lines[index].hasPrefix(prefix),
                "expected \(prefix)\n got \(index < lines.count ? lines[index] : "nothing")")
        }
        #expect(lines.count == expected.count, "\(result.stderr)")
        // Each problem shows the source line and a caret under the column.
        #expect(
            result.stderr.contains(
                """
                   16 |       - action: mial
                      |                 ^
                """))
        #expect(result.stderr.hasSuffix("herald: 14 problems in the configuration\n"))
    }

    /// Fuzzing finding: a `delay:` of many `999999999d` parts passed `check` and crashed the
    /// daemon on the first event. Every duration is bounded at load, with its position.
    @Test func durationsPastTheLimitAreConfigErrors() throws {
        let huge = String(repeating: "999999999d", count: 8)
        let result = try check(
            """
            listen: ["127.0.0.1:0"]
            ingress: { insecure_no_auth: true }
            delivery: { retry: { max_age: 3651d } }
            actions: { box: { plugin: outbox } }
            routes:
              - name: later
                events: [registration.after]
                delay: \(huge)
                do: [{ action: box, to: "{{recipient}}", subject: hi, text: hi }]
            """)
        #expect(result.status == 78)
        #expect(
            result.stderr.contains("herald.yaml:3:31: 'max_age' must be at most 3650d (about ten years), found 3651d"))
        #expect(
            result.stderr.contains(
                "herald.yaml:8:12: 'delay' must be at most 3650d (about ten years), found 999999999d"))
    }

    /// A zero `header_timeout` passed `check`, and the daemon then closed every connection, the
    /// probes' too, before reading a byte; a zero `delivery.timeout` made every network attempt
    /// "no time left before the delivery deadline" until the job died. Each needs at least 100ms.
    @Test func timeoutsTooShortToWorkAreConfigErrors() throws {
        func config(header: String, body: String, delivery: String) -> String {
            """
            listen: ["127.0.0.1:0"]
            ingress:
              insecure_no_auth: true
              limits: { header_timeout: \(header), body_timeout: \(body) }
            delivery: { timeout: \(delivery) }
            actions: { box: { plugin: outbox } }
            routes: [{ name: all, events: ["*.after"], do: [{ action: box, to: "a@example.com", text: hi }] }]
            """
        }
        let result = try check(config(header: "0s", body: "99ms", delivery: "0s"))
        #expect(result.status == 78)
        #expect(
            result.stderr.contains("herald.yaml:4:29: 'header_timeout' must be at least 100ms, found 0s"),
            "\(result.stderr)")
        #expect(result.stderr.contains("herald.yaml:4:47: 'body_timeout' must be at least 100ms, found 99ms"))
        #expect(result.stderr.contains("herald.yaml:5:22: 'timeout' must be at least 100ms, found 0s"))
        #expect(result.stderr.hasSuffix("herald: 3 problems in the configuration\n"), "\(result.stderr)")
        let shortest = try check(config(header: "100ms", body: "100ms", delivery: "100ms"))
        #expect(shortest.status == 0, "\(shortest.stderr)")
    }

    @Test func yamlLevelMistakesAreReported() throws {
        let result = try check("listen: [a\nroutes: &r []\n")
        #expect(result.status == 78)
        #expect(result.stderr.contains("herald.yaml:"))
        let duplicate = try check("state_dir: a\nstate_dir: b\n")
        #expect(duplicate.status == 78)
        #expect(duplicate.stderr.contains("herald.yaml:2:1: duplicate key 'state_dir'"))
    }

    /// Issue 9: an alias is reported once, not again as a type error of its stand-in, and an
    /// event name that is a number gets a message that says what an event name is.
    @Test func oneMistakeOneMessage() throws {
        let alias = try check("listen: &l [\"127.0.0.1:4470\"]\ningress: { insecure_no_auth: true }\nstate_dir: *l\n")
        #expect(alias.status == 78)
        let lines = alias.stderr.split(separator: "\n").filter { $0.hasPrefix("herald.yaml:3:") }
        #expect(lines == ["herald.yaml:3:12: anchors and aliases are not supported; repeat the value instead"])
        let number = try check(
            "ingress: { insecure_no_auth: true }\nroutes:\n  - name: r\n    events: [42]\n    do: [{ deny: { message: x } }]\n"
        )
        #expect(
            number.stderr.contains(
                "herald.yaml:4:14: '42' is not an event name; use flow.phase such as registration.after"),
            "\(number.stderr)")
        #expect(!number.stderr.contains("quote it"))
    }

    @Test func missingCredentialsAndSecretsAreConfigErrors() throws {
        let exposed = try check("listen: [\"0.0.0.0:4470\"]\nactions: {}\nroutes: []\n")
        #expect(exposed.status == 78)
        #expect(exposed.stderr.contains("no ingress credentials"))
        let secret = try check(
            "ingress:\n  auth:\n    - api_key: { header: X-Key, value: \"${env:MISSING_KEY}\" }\n", environment: [:])
        #expect(secret.status == 78)
        #expect(secret.stderr.contains("herald.yaml:3:"))
        #expect(secret.stderr.contains("MISSING_KEY"))
        // One problem, not also "too short" or "no ingress credentials" for the value that is missing.
        #expect(secret.stderr.hasSuffix("herald: 1 problem in the configuration\n"), "\(secret.stderr)")
    }

    /// A missing secret is one problem among all the others: the steps of the action whose key is
    /// missing are still checked. `--no-secrets` reads none and checks everything else.
    @Test func aMissingSecretHidesNoOtherProblem() throws {
        let config = """
            listen: ["127.0.0.1:0"]
            ingress: { insecure_no_auth: true }
            actions:
              mail: { plugin: mandrill, api_key: "${credential:mandrill}", from: hello@example.com }
            routes:
              - name: welcome
                events: [registration.after]
                do: [{ action: mail, template: "{{identity.traits.email | shout}}", to: "{{recipient}}" }]
            """
        let result = try check(config)
        #expect(result.status == 78)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("herald.yaml:") }
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(lines.first?.contains("herald.yaml:4:38: cannot read credential 'mandrill'") == true)
        #expect(lines.first?.contains("export CREDENTIALS_DIRECTORY") == true)
        #expect(lines.last?.contains("shout") == true, "\(result.stderr)")

        let fixed = config.replacingOccurrences(of: " | shout", with: "")
        let directory = try makeTemporaryDirectory()
        try fixed.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let noSecrets = try HeraldProcess.run(["check", "--no-secrets", "--config", "herald.yaml"], in: directory)
        #expect(noSecrets.status == 0, "\(noSecrets.stderr)")
        let withSecrets = try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        #expect(withSecrets.status == 78)
    }

    /// A copy of a config away from its drop-ins reported OK with zero routes. An include that
    /// matches nothing is an error; no routes and unused actions are warnings (exit 0).
    @Test func anIncludeThatMatchesNothingIsAnErrorAndIdleConfigsWarn() throws {
        let base = """
            listen: ["127.0.0.1:0"]
            ingress: { insecure_no_auth: true }
            state_dir: ./state
            actions:
              box: { plugin: outbox }
              spare: { plugin: outbox }
            """
        let missing = try check(base + "\ninclude: routes.d/*.yaml\n")
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("herald.yaml:7:10: include 'routes.d/*.yaml' matches no file (looked for "))

        let idle = try check(base + "\n")
        #expect(idle.status == 0, "\(idle.stderr)")
        #expect(
            idle.stderr.contains("herald.yaml:1:1: warning: no routes: every event is accepted and nothing is done"))
        #expect(idle.stderr.contains("herald.yaml:5:3: warning: action 'box' is used by no route"))
        #expect(idle.stderr.contains("herald.yaml:6:3: warning: action 'spare' is used by no route"))
        #expect(!idle.stdout.contains("/./"), "\(idle.stdout)")

        let used = try check(
            base
                + "\nroutes:\n  - name: r\n    events: [login.after]\n    do: [{ action: box, to: a@example.com, text: x }]\n"
        )
        #expect(used.status == 0)
        #expect(!used.stderr.contains("'box' is used by no route"))
        #expect(used.stderr.contains("warning: action 'spare' is used by no route"))
        #expect(!used.stderr.contains("no routes"))

        let misnamed = try check(base + "\nroutes:\n  - name: welcome\n    events: [login.after]\n    colour: blue\n")
        #expect(misnamed.stderr.contains("unknown key 'colour' in route 'welcome'"), "\(misnamed.stderr)")
    }

    /// Issue 9: `to: "{{recipient}}"` on events that can never carry one is refused at check
    /// time; a max_age shorter than the first retry wait is a warning.
    @Test func aRecipientThatCanNeverExistIsAnError() throws {
        let result = try check(
            """
            listen: ["127.0.0.1:0"]
            ingress: { insecure_no_auth: true }
            delivery: { retry: { schedule: [5m], max_age: 1m } }
            actions: { box: { plugin: outbox } }
            routes:
              - name: attempts
                events: [login.before, registration.before]
                do: [{ action: box, to: "{{recipient}}", text: x }]
            """)
        #expect(result.status == 78)
        #expect(
            result.stderr.contains(
                "herald.yaml:8:32: 'recipient' can never exist: payloads of login.before, registration.before carry no identity and no courier recipient"
            ), "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "herald.yaml:3:47: warning: max_age 1m is shorter than the first retry wait 5m: a failed attempt is never retried"
            ), "\(result.stderr)")
    }

    @Test func validConfigPrintsASummaryWithoutSecrets() throws {
        let key = "ingress-secret-0123456789"
        let config = """
            listen: ["127.0.0.1:4470", "unix:/tmp/herald-test.sock"]
            ingress:
              auth: [{ api_key: { header: X-Herald-Key, value: "${env:KEY}" } }]
            actions:
              box: { plugin: outbox, directory: out }
            routes:
              - name: welcome
                events: [registration.after]
                do: [{ action: box, to: "{{recipient}}", text: hi }]
            include: routes.d/*.yaml
            """
        let dropIn = """
            routes:
              - name: goodbye
                events: ["*.after"]
                stop: true
                do: [{ action: box, to: "{{recipient}}", text: bye }]
            """
        let result = try check(config, files: ["routes.d/10-goodbye.yaml": dropIn], environment: ["KEY": key])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("herald.yaml: OK"))
        #expect(result.stdout.contains("  127.0.0.1:4470\n  unix:/tmp/herald-test.sock\n"))
        #expect(result.stdout.contains("ingress auth: api_key header X-Herald-Key"))
        #expect(result.stdout.contains("  welcome: [registration.after] → box\n  goodbye: [*.after] → box (stop)\n"))
        #expect(!result.stdout.contains(key) && !result.stderr.contains(key))
    }
}
