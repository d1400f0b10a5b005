import Foundation
import HeraldTestSupport
import Testing

/// `herald test` and the route tests `herald check` runs (issue 12), through the real binary.
@Suite struct RouteTestCommandTests {
    static let etc = SystemTools.repository.appendingPathComponent("etc/herald")

    /// Every shipped route has a test, and they all pass without any secret.
    @Test func theShippedRoutesPassTheirTestsAndEachRouteHasOne() throws {
        let result = try HeraldProcess.run([
            "test", "--verbose", "--config", Self.etc.appendingPathComponent("herald.yaml").path,
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.range(of: #"tests: \d+ passed, 0 failed"#, options: .regularExpression) != nil)
        let check = try HeraldProcess.run(
            ["check", "--no-secrets", "--config", Self.etc.appendingPathComponent("herald.yaml").path])
        #expect(check.status == 0, "\(check.stderr)")
        let routes = check.stdout.components(separatedBy: "\n").drop { $0 != "routes:" }.dropFirst()
            .compactMap { line -> String? in
                guard line.hasPrefix("  "), !line.hasPrefix("    "), let colon = line.firstIndex(of: ":") else {
                    return nil
                }
                return String(line[line.index(line.startIndex, offsetBy: 2)..<colon])
            }
        #expect(routes.count > 10)
        let directory = Self.etc.appendingPathComponent("routes.d")
        let tests = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".test.yaml") }
            .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n")
        for route in routes {
            #expect(
                tests.contains("route: \(route)") || tests.contains("[\(route)") || tests.contains(", \(route)"),
                "shipped route '\(route)' has no test")
        }
    }

    private func workspace(_ tests: String) throws -> URL {
        let directory = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("routes.d"), withIntermediateDirectories: true)
        try Integration.outboxConfig(extra: "include: routes.d/*.yaml").write(
            to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        try """
        routes:
          - name: recovered
            events: [recovery.after]
            do: [{ action: box, to: "{{recipient}}", subject: "Recovered", text: "Your account was recovered." }]
        """.write(to: directory.appendingPathComponent("routes.d/10-recovery.yaml"), atomically: true, encoding: .utf8)
        try tests.write(
            to: directory.appendingPathComponent("routes.d/welcome.test.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    static let payload =
        "{ identity: { traits: { email: jane@example.com, newsletter: true, name: { first: Jane } } } }"

    @Test func aFailingTestPrintsWhatDifferedAndFailsCheckToo() throws {
        let directory = try workspace(
            """
            tests:
              - name: the welcome greets by name
                event: registration.after
                payload: \(Self.payload)
                expect:
                  routes: [welcome]
                  jobs:
                    - route: welcome
                      action: box
                      fields: { message.subject: "Welcome, Joan" }
              - name: a login is no welcome
                event: login.after
                payload: \(Self.payload)
                expect: { nothing: true }
            """)
        let result = try HeraldProcess.run(["test", "--config", "herald.yaml"], in: directory)
        #expect(result.status == 1)
        #expect(
            result.stdout.replacingOccurrences(of: directory.path + "/", with: "") == """
                FAIL  the welcome greets by name (routes.d/welcome.test.yaml:2:5)
                      job 1 message.subject: expected "Welcome, Joan", got "Welcome, Jane"
                FAIL  a login is no welcome (routes.d/welcome.test.yaml:11:5)
                      expected nothing; got jobs from [sign-in]
                tests: 0 passed, 2 failed

                """)
        // check refuses the config, so does systemd's ExecReload, which runs it first.
        let check = try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        #expect(check.status == 1)
        #expect(check.stdout.hasSuffix("tests: 0 passed, 2 failed\n"))
        // The unit's start check skips the tests: a failing test never keeps Herald down.
        let start = try HeraldProcess.run(["check", "--no-tests", "--config", "herald.yaml"], in: directory)
        #expect(start.status == 0, "\(start.stderr)")
        #expect(!start.stdout.contains("tests:"))
    }

    @Test func passingTestsAndProblemsInTestFiles() throws {
        let directory = try workspace(
            """
            tests:
              - name: the welcome greets by name
                event: registration.after
                payload: \(Self.payload)
                expect:
                  routes: [welcome]
                  jobs: [{ route: welcome, fields: { message.subject: "Welcome, Jane" } }]
            """)
        let passing = try HeraldProcess.run(["test", "--verbose", "--config", "herald.yaml"], in: directory)
        #expect(passing.status == 0)
        #expect(passing.stdout == "ok    the welcome greets by name\ntests: 1 passed, 0 failed\n")
        // The include glob does not take the test file for routes: check passes and runs it.
        let check = try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.hasSuffix("tests: 1 passed, 0 failed\n"))

        try """
        tests:
          - name: broken
            event: registration.aftr
            payload_file: missing.json
            expect: { routes: [welcome], nothing: true }
        """.write(to: directory.appendingPathComponent("routes.d/welcome.test.yaml"), atomically: true, encoding: .utf8)
        let broken = try HeraldProcess.run(["test", "--config", "herald.yaml"], in: directory)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("welcome.test.yaml:3:12: unknown event 'registration.aftr'"), "\(broken.stderr)")
        #expect(broken.stderr.contains("cannot read a JSON payload from"))
        #expect(broken.stderr.contains("'expect' has either routes/jobs, or deny, or nothing: true"))
        // Each problem counts as a failure in the tally: "0 failed" beside them would read as a pass.
        #expect(broken.stdout == "tests: 0 passed, 3 failed (3 problems in the test files)\n", "\(broken.stdout)")
        // A test file named on the command line that is not there is called a test file.
        let missing = try HeraldProcess.run(["test", "--config", "herald.yaml", "missing.test.yaml"], in: directory)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("missing.test.yaml:1:1: cannot read the test file: "), "\(missing.stderr)")

        // A passing test beside a broken one: the tally says one failed, as the exit status does.
        try """
        tests:
          - name: the welcome greets by name
            event: registration.after
            payload: \(Self.payload)
            expect: { routes: [welcome] }
          - name: broken
            event: registration.after
            payload: \(Self.payload)
            expect: { routes: [welcome], nothing: true }
        """.write(to: directory.appendingPathComponent("routes.d/welcome.test.yaml"), atomically: true, encoding: .utf8)
        let mixed = try HeraldProcess.run(["test", "--config", "herald.yaml"], in: directory)
        #expect(mixed.status == 1)
        #expect(mixed.stdout == "tests: 1 passed, 1 failed (1 problem in the test files)\n", "\(mixed.stdout)")
        let mixedCheck = try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        #expect(mixedCheck.status == 1)
        #expect(mixedCheck.stdout.hasSuffix("tests: 1 passed, 1 failed (1 problem in the test files)\n"))

        let usage = try HeraldProcess.run(["test", "--bogus"], in: directory)
        #expect(usage.status == 2)
    }
}
