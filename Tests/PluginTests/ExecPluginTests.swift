import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

@testable import ExecPlugin

/// `plugin: exec` options, steps and outcomes through `perform`, with scripts written by the test.
@Suite struct ExecPluginTests {
    static let token = "tok_exec_secret_0123456789"

    /// A directory holding an executable `run.sh` with `script` as its body.
    static func script(_ body: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("run.sh")
        try writeExecutable("#!/bin/sh\ncd \"$(dirname \"$0\")\"\n" + body + "\n", to: file)
        return directory
    }

    static func perform(
        _ directory: URL, environment: String = #"{ TOKEN: "${env:TOKEN}", PLAIN: "x" }"#, extra: String = "",
        step: String = "", attempt: Int = 1, trace: TraceContext? = nil
    ) async throws
        -> Outcome
    {
        let harness = PluginHarness(
            """
            actions:
              run:
                plugin: exec
                program: ./run.sh
                args: [one, "two words"]
                environment: \(environment)
            \(extra)
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: run
            \(step)
            """, env: ["TOKEN": token], baseDirectory: directory.path)
        #expect(harness.messages == [])
        let action = try #require(harness.actions["run"])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        return await action.perform(job, context: .testing(timeout: .seconds(10), attempt: attempt, trace: trace))
    }

    @Test func theProgramGetsArgsStdinAndItsEnvironment() async throws {
        let directory = try Self.script(
            #"printf '%s|' "$@" > args; cat > stdin; env > env; echo "done with $HERALD_EVENT""#)
        let outcome = try await Self.perform(directory, attempt: 3)
        #expect(outcome == .delivered(detail: "exit 0: done with registration.after"))
        #expect(try String(contentsOf: directory.appendingPathComponent("args"), encoding: .utf8) == "one|two words|")
        let stdin = try String(contentsOf: directory.appendingPathComponent("stdin"), encoding: .utf8)
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        // The whole payload, without the user's cookies (issue 21).
        #expect(stdin == event.forwardedPayload && !stdin.contains("request_cookies"))
        let env = try String(contentsOf: directory.appendingPathComponent("env"), encoding: .utf8)
        #expect(env.contains("TOKEN=\(Self.token)\n") && env.contains("PLAIN=x\n"))
        #expect(env.contains("HERALD_EVENT=registration.after\n") && env.contains("HERALD_ATTEMPT=3\n"))
        #expect(env.contains("HERALD_JOB_ID=0190"))
        #expect(!env.contains("HOME="))
    }

    /// The attempt's span reaches the program as OpenTelemetry's environment carrier.
    @Test func theProgramGetsTheAttemptsTraceparent() async throws {
        let directory = try Self.script("env > env")
        let trace = try #require(
            TraceContext(
                traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: ["rojo=1"]))
        #expect(try await Self.perform(directory, trace: trace) == .delivered(detail: "exit 0"))
        let env = try String(contentsOf: directory.appendingPathComponent("env"), encoding: .utf8)
        #expect(env.contains("TRACEPARENT=\(trace.traceparent)\n") && env.contains("TRACESTATE=rojo=1\n"))
        let untraced = try Self.script("env > env")
        _ = try await Self.perform(untraced)
        let plain = try String(contentsOf: untraced.appendingPathComponent("env"), encoding: .utf8)
        #expect(!plain.contains("TRACEPARENT"))
    }

    @Test func aRenderedBodyIsWrittenInstead() async throws {
        let directory = try Self.script("cat > stdin")
        _ = try await Self.perform(directory, step: "        body: \"id={{identity.id}}\"")
        #expect(
            try String(contentsOf: directory.appendingPathComponent("stdin"), encoding: .utf8)
                == "id=7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20")
    }

    @Test func tempFailIsARetry() async throws {
        let directory = try Self.script("echo 'database busy' >&2; exit 75")
        #expect(
            try await Self.perform(directory)
                == .retry(after: nil, reason: "exit 75 (EX_TEMPFAIL); stderr: database busy", ambiguous: false))
    }

    @Test func anyOtherExitFailsWithTheStderrTailMasked() async throws {
        let directory = try Self.script(
            """
            for i in 1 2 3 4 5 6 7; do echo "line $i" >&2; done
            echo "token $TOKEN rejected for jane.doe@example.com" >&2
            exit 3
            """)
        let outcome = try await Self.perform(directory)
        #expect(
            outcome
                == .failed(
                    reason: "exit 3; stderr: line 4 | line 5 | line 6 | line 7 | token <redacted> rejected for "
                        + "j***@example.com"))
    }

    /// Values Herald cannot know to be secrets, written into the file or passed on from its own
    /// environment, are masked when their names say they hold a credential.
    @Test func credentialsByNameAreMaskedInTheStderrTail() async throws {
        setenv("EXEC_TEST_INHERITED_API_KEY", "inherited-key-0123456789", 1)
        setenv("EXEC_TEST_INHERITED_REGION", "inherited-region-eu-west", 1)
        let directory = try Self.script(
            """
            echo "key $EXEC_TEST_INHERITED_API_KEY, token $WRITTEN_TOKEN, region $EXEC_TEST_INHERITED_REGION" >&2
            exit 3
            """)
        let outcome = try await Self.perform(
            directory, environment: #"{ WRITTEN_TOKEN: "written-token-0123456789" }"#,
            extra: "    inherit_environment: [EXEC_TEST_INHERITED_API_KEY, EXEC_TEST_INHERITED_REGION]")
        // The region's name says nothing of a credential: it stays readable.
        #expect(
            outcome
                == .failed(reason: "exit 3; stderr: key <redacted>, token <redacted>, region inherited-region-eu-west"))
    }

    @Test func aTimeoutIsAnAmbiguousRetry() async throws {
        let directory = try Self.script("echo started >&2; sleep 30")
        let outcome = try await Self.perform(directory, extra: "    timeout: 300ms")
        #expect(
            outcome
                == .retry(
                    after: nil,
                    reason: "still running after 300ms; its process group was killed (may have done part of its "
                        + "work); stderr: started", ambiguous: true))
    }

    @Test func optionsAreCheckedAtTheirPositions() throws {
        let directory = try Self.script("exit 0")
        let harness = PluginHarness(
            """
            actions:
              a:
                plugin: exec
              b:
                plugin: exec
                program: ./missing.sh
                args: ["${env:TOKEN}", [x]]
                working_directory: nowhere
                environment: { HERALD_X: 1, "9A": 2, OK: [x] }
                timeout: 2h
              c:
                plugin: exec
                program: no-such-program-anywhere
                inherit_environment: [NOT_SET_ANYWHERE_X]
              d:
                plugin: exec
                program: ./run.sh
                environment: { TOKEN: "${env:TOKEN}" }
                concurrency: 2
            """, env: ["TOKEN": Self.token], baseDirectory: directory.path)
        #expect(
            harness.messages == [
                "3:5: missing required key 'program'",
                "6:14: 'program' ./missing.sh does not exist (\(directory.path)/./missing.sh)",
                "7:12: 'args' cannot hold a secret: other users can read a program's arguments; pass it in "
                    + "'environment'",
                "7:28: 'args' must be text, found a list",
                "8:24: 'working_directory' nowhere is not a directory (\(directory.path)/nowhere)",
                "9:20: 'environment': HERALD_X is reserved: Herald sets HERALD_JOB_ID, HERALD_EVENT and HERALD_ATTEMPT",
                "9:33: 'environment': \"9A\" is not a variable name (letters, digits and _, not starting with a digit)",
                "9:46: 'environment': the value of OK must be text",
                "10:14: 'timeout' must be between 100ms and 1h, found 2h",
            ])
        #expect(harness.warnings.count == 2)
        #expect(
            harness.warnings.first?.hasPrefix("13:14: 'program' no-such-program-anywhere is not in PATH here") == true)
        #expect(
            harness.warnings.last
                == "14:27: 'inherit_environment': NOT_SET_ANYWHERE_X is not set in Herald's environment")
        let action = try #require(harness.actions["d"] as? ExecAction)
        #expect(action.summary == "exec → \(directory.path)/./run.sh (timeout 30s; environment: TOKEN)")
        #expect(action.defaultConcurrency == 4)
        for message in harness.messages + harness.warnings { #expect(!message.contains(Self.token)) }
    }

    @Test func aBareNameIsFoundInPath() throws {
        let harness = PluginHarness(
            """
            actions:
              a: { plugin: exec, program: sh, args: ["-c", "exit 0"] }
            """)
        #expect(harness.messages == [] && harness.warnings == [])
        let action = try #require(harness.actions["a"] as? ExecAction)
        #expect(action.settings.program.hasSuffix("/sh") && !action.settings.searchesPath)
    }
}
