import Foundation
import HeraldCore
import HeraldJobs
import Testing

@testable import HeraldSpool

/// `Spool.rewriteEverything` (`herald forget`): afterwards no file of the spool holds a byte of a
/// job that is gone, however recent, and everything live survives a reopen.
struct SpoolRewriteTests {
    private func job(to address: String) -> Job {
        Job(
            id: testIDs.next(), eventID: testIDs.next(), eventName: EventName(flow: "registration", phase: "after"),
            route: "welcome", action: "mandrill", payload: ["to": [["email": .string(address)]]],
            orderingKey: address, createdAt: WallClock(millisecondsSinceEpoch: 1_800_000_000_000),
            notBefore: WallClock(millisecondsSinceEpoch: 1_800_000_000_000))
    }

    /// Every byte under the spool directory.
    private func contents(_ directory: TemporaryDirectory) throws -> Data {
        var all = Data()
        let spool = directory.path + "/spool"
        for name in try FileManager.default.contentsOfDirectory(atPath: spool) {
            all.append(try Data(contentsOf: URL(fileURLWithPath: spool + "/" + name)))
        }
        return all
    }

    @Test func goneJobsLeaveTheDiskAndLiveOnesStay() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualTimeSource()
        let options = testOptions(clock: clock, segmentSize: 16 << 10)
        let spool = try Spool.open(stateDirectory: directory.path, options: options, logger: .discarding)
        let done = job(to: "done.person@example.com")
        let dropped = job(to: "dropped.person@example.com")
        let live = job(to: "live.person@example.com")
        let dead = job(to: "dead.person@example.com")
        // Enough filler to span several segments, so that old closed ones are rewritten too.
        let filler = (0..<60).map { _ in makeJob(payloadBytes: 600) }
        try await spool.add(
            [done, dropped] + Array(filler.prefix(30)),
            dedupeKeys: [
                DedupeKey("trigger-1", expiresAt: clock.now.adding(.seconds(600)))
            ])
        try await spool.add([live, dead] + Array(filler.suffix(30)))
        try await spool.completeAndWait(done.id)
        _ = try spool.dropJob(dropped.id)
        spool.kill(dead.id, reason: "rejected", attempts: 1, lastAnswer: "hard bounce")
        try await spool.flush()
        #expect(try contents(directory).range(of: Data("dropped.person@example.com".utf8)) != nil)

        let report = try spool.rewriteEverything()
        #expect(report.segmentsDeleted > 1)
        let bytes = try contents(directory)
        for gone in ["done.person@example.com", "dropped.person@example.com"] {
            #expect(bytes.range(of: Data(gone.utf8)) == nil, "\(gone) is still on disk")
        }
        #expect(bytes.range(of: Data("live.person@example.com".utf8)) != nil)

        // Queued: the filler and `live` (`extra` added after the rewrite).
        func verify(_ spool: Spool, extra: Int = 0) throws {
            #expect(try spool.job(live.id).payload == live.payload)
            #expect(spool.deadLetters.map(\.id) == [dead.id])
            #expect(spool.deadLetters.first?.reason == "rejected")
            #expect(spool.liveJobs.count == 61 + extra)
            #expect(spool.seen("trigger-1", now: clock.now))
        }
        try verify(spool)
        // Appends go on after the rewrite.
        let later = job(to: "later@example.com")
        try await spool.add([later])
        spool.close()
        let reopened = try Spool.open(stateDirectory: directory.path, options: options, logger: .discarding)
        defer { reopened.close() }
        try verify(reopened, extra: 1)
        #expect(try reopened.job(later.id).payload == later.payload)
    }
}
