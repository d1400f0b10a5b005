import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The real binary runs scripts the test writes: stdin, retries on EX_TEMPFAIL, dead letters
/// with the stderr tail, a timed-out program killed with its children, bounded output.
@Suite struct ExecDeliveryTests {
    /// A directory holding an executable `run.sh` (which starts in its own directory).
    private static func script(_ body: String) throws -> URL {
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("run.sh")
        try writeExecutable("#!/bin/sh\ncd \"$(dirname \"$0\")\"\n" + body + "\n", to: file)
        return directory
    }

    private func start(_ scripts: URL, timeout: String = "5s") async throws -> (HeraldProcess, String) {
        try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            log: { level: debug }
            delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h }, timeout: 10s }
            actions:
              run:
                plugin: exec
                program: \(scripts.path)/run.sh
                timeout: \(timeout)
            routes:
              - name: run-it
                events: [registration.after]
                do:
                  - action: run
            """)
    }

    private func post(to address: String) throws {
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
    }

    @Test func theProgramReadsTheEventOnStdin() async throws {
        let scripts = try Self.script("cat > received.json; echo \"$HERALD_JOB_ID $HERALD_ATTEMPT\" > job")
        let (herald, address) = try await start(scripts)
        try post(to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        let received = try Data(contentsOf: scripts.appendingPathComponent("received.json"))
        let document = try JSONDocument(parsing: [UInt8](received))
        #expect(document.root["identity"]?["id"]?.string == "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20")
        let job = try String(contentsOf: scripts.appendingPathComponent("job"), encoding: .utf8)
        #expect(job.hasSuffix(" 1\n"), "\(job)")
        try await herald.stop()
    }

    @Test func tempFailIsRetriedThenDelivered() async throws {
        let scripts = try Self.script(
            """
            if [ ! -e tried ]; then touch tried; echo 'try later' >&2; exit 75; fi
            echo "attempt $HERALD_ATTEMPT" > delivered
            """)
        let (herald, address) = try await start(scripts)
        try post(to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        #expect(try String(contentsOf: scripts.appendingPathComponent("delivered"), encoding: .utf8) == "attempt 2\n")
        #expect(herald.output.contains("exit 75 (EX_TEMPFAIL); stderr: try later"))
        try await herald.stop()
    }

    @Test func anotherExitIsADeadLetterWithTheStderrTail() async throws {
        let scripts = try Self.script("echo 'starting' >&2; echo 'no such customer' >&2; exit 3")
        let (herald, address) = try await start(scripts)
        try post(to: address)
        try await herald.waitForLog("moved to dead letters")
        let letter = try #require(try QueueCLI(store: .local, directory: herald.directory).list("dead").first)
        #expect(letter["attempts"]?.int == 1)
        #expect(letter["reason"]?.string == "exit 3; stderr: starting | no such customer", "\(letter)")
        try await herald.stop()
    }

    @Test func aTimedOutProgramIsKilledWithItsChildAndRetried() async throws {
        let scripts = try Self.script("sleep 60 & echo $! >> children; wait")
        // Time enough for the shell to start its child and note it, on a loaded machine too.
        let (herald, address) = try await start(scripts, timeout: "2s")
        try post(to: address)
        try await herald.waitForLog("msg=\"job will be retried\"")
        try await herald.stop()
        #expect(herald.output.contains("still running after 2s; its process group was killed"))
        let children = try String(contentsOf: scripts.appendingPathComponent("children"), encoding: .utf8)
            .split(separator: "\n").compactMap { Int32($0) }
        #expect(!children.isEmpty)
        for child in children {
            #expect(
                try await Integration.eventually(timeout: .seconds(5)) { Self.isGone(child) }, "child \(child) survived"
            )
        }
    }

    @Test func megabytesOfOutputAreBounded() async throws {
        let scripts = try Self.script("head -c 20000000 /dev/zero; head -c 5000000 /dev/zero >&2; echo ok")
        let (herald, address) = try await start(scripts, timeout: "30s")
        try post(to: address)
        let line = try await herald.waitForLog("msg=\"exec run\"", timeout: .seconds(30))
        #expect(line.contains("stdout_bytes=20000003") && line.contains("stderr_bytes=5000000"), "\(line)")
        try await herald.waitForLog("msg=\"job delivered\"")
        try await herald.stop()
    }

    /// True when `pid` no longer runs (gone, or a zombie its reaper has not collected yet).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }
}
