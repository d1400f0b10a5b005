import Foundation
import HeraldTestSupport
import Testing

/// A spool that cannot take the write answers 503 (Kratos retries), /readyz says so, and the
/// daemon recovers without a restart when space returns (design §3, §7). Proven on a real full
/// filesystem: a small tmpfs mounted as the state_dir (needs root; skipped otherwise).
@Suite(.enabled(if: Tmpfs.canMount, "needs root and permission to mount tmpfs"))
struct DiskFullTests {
    @Test func aFullDiskAnswers503AndRecoversWhenSpaceReturns() async throws {
        try await Tmpfs.fullDiskScenario()
    }
}

/// Mounting a small tmpfs, for the disk-full test.
enum Tmpfs {
    static let canMount: Bool = {
        guard getuid() == 0, let directory = try? makeTemporaryDirectory("herald-mount-probe") else { return false }
        defer { try? FileManager.default.removeItem(at: directory) }
        guard command("/bin/mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", directory.path) == 0 else { return false }
        return command("/bin/umount", directory.path) == 0
    }()

    @discardableResult
    static func command(_ path: String, _ arguments: String...) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Bytes free on the filesystem of `path`.
    static func free(_ path: String) -> Int {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return 0 }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    static func fullDiskScenario() async throws {
        let directory = try makeTemporaryDirectory()
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        #expect(Self.command("/bin/mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", state.path) == 0)
        defer { Self.command("/bin/umount", "-l", state.path) }
        let config = Integration.outboxConfig(
            extra: """
                  - name: later
                    events: [recovery.after]
                    delay: 1h
                    do: [{ action: box, to: "{{recipient}}", subject: "Still there?", text: "later" }]
                """)
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let herald = try HeraldProcess.start(["serve", "--config", "herald.yaml"], in: directory)
        let address = try await herald.listeningAddress()
        #expect(try RawHTTPClient(address: address).request("GET", "/readyz").status == 200)

        // Leave a few KiB: the next batches fill the disk.
        let filler = state.appendingPathComponent("filler")
        try Data(count: max(0, Self.free(state.path) - 16_384)).write(to: filler)
        var acknowledged = 0
        var refused: RawHTTPClient.Response?
        for number in 0..<2_000 {
            let response = try RawHTTPClient(address: address).request(
                "POST", "/v1/events/recovery/after", headers: [("Ory-Webhook-Trigger-ID", "full-\(number)")],
                body: try Integration.example("recovery-after.json"))
            if response.status == 202 {
                acknowledged += 1
            } else {
                refused = response
                break
            }
        }
        #expect(refused?.status == 503, "the disk never filled up")
        #expect(try RawHTTPClient(address: address).request("GET", "/readyz").status == 503)
        try await herald.waitForLog("event not stored; answered 503")

        // Space returns: no restart needed.
        try FileManager.default.removeItem(at: filler)
        #expect(
            try await Integration.eventually(timeout: .seconds(15)) {
                (try? RawHTTPClient(address: address).request("GET", "/readyz").status) == 200
            })
        let retried = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/recovery/after", headers: [("Ory-Webhook-Trigger-ID", "after-recovery")],
            body: try Integration.example("recovery-after.json"))
        #expect(retried.status == 202)
        acknowledged += 1

        // Every acknowledged event is in the queue, nothing else (the refused one was not stored).
        let listed = try HeraldProcess.run(
            ["queue", "list", "--json", "--limit", "1", "--state-dir", "state"], in: directory)
        #expect(listed.stdout.contains("\"total\": \(acknowledged)"), "\(listed.stdout)\(listed.stderr)")
        #expect(try await herald.stop() == 0)
    }
}
