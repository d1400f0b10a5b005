import Foundation
import HeraldCore
import HeraldJobs
import Testing

@testable import HeraldSpool

struct SpoolCompactionTests {
    private func diskUse(_ directory: TemporaryDirectory) -> Int {
        directory.segments.reduce(0) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
    }

    @Test func diskUseDropsAfterJobsComplete() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let spool = try Spool.open(
            stateDirectory: directory.path, options: testOptions(segmentSize: 32 << 10), logger: .discarding)
        defer { spool.close() }
        let jobs = (0..<400).map { _ in makeJob(payloadBytes: 400) }
        for batch in stride(from: 0, to: jobs.count, by: 10) { try await spool.add(Array(jobs[batch..<batch + 10])) }
        let full = diskUse(directory)
        #expect(directory.segments.count > 5)
        for job in jobs { spool.complete(job.id) }
        try await spool.flush()
        let report = spool.compact()
        #expect(report.segmentsDeleted > 0)
        #expect(report.jobsCopied == 0)
        #expect(diskUse(directory) < full / 5)
        #expect(spool.statistics.segments == directory.segments.count)
    }

    @Test func liveJobsDeadLettersAndKeysAreCopiedForward() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualTimeSource()
        let options = testOptions(clock: clock, segmentSize: 32 << 10)
        let spool = try Spool.open(stateDirectory: directory.path, options: options, logger: .discarding)
        let jobs = (0..<400).map { _ in makeJob(payloadBytes: 400) }
        for batch in stride(from: 0, to: jobs.count, by: 10) {
            try await spool.add(
                Array(jobs[batch..<batch + 10]),
                dedupeKeys: [DedupeKey("key-\(batch)", expiresAt: clock.now.adding(.seconds(600)))])
        }
        let retryAt = clock.now.adding(.seconds(90))
        var expectedLive: [TimeOrderedID] = []
        for (position, job) in jobs.enumerated() {
            switch position % 10 {
            case 0:
                spool.recordAttempt(job.id, attempts: 3, notBefore: retryAt, mayHaveSent: false, reason: "timeout")
                expectedLive.append(job.id)
            case 1: spool.kill(job.id, reason: "bad address \(position)", attempts: 2, lastAnswer: "invalid")
            default: spool.complete(job.id)
            }
        }
        try await spool.flush()
        let before = diskUse(directory)
        let report = spool.compact()
        #expect(report.segmentsDeleted > 0)
        #expect(report.jobsCopied == 80)
        #expect(diskUse(directory) < before / 2)

        func verify(_ spool: Spool) throws {
            let live = spool.liveJobs
            #expect(live.map(\.id) == expectedLive)
            #expect(live.allSatisfy { $0.attempts == 3 && $0.notBefore == retryAt })
            #expect(try spool.job(expectedLive[7]).payload == jobs[70].payload)
            let dead = spool.deadLetters
            #expect(dead.count == 40)
            #expect(dead.first?.reason == "bad address 1")
            #expect(dead.first?.attempts == 2)
            #expect(try spool.deadLetter(jobs[11].id).job.payload == jobs[11].payload)
            #expect(spool.seen("key-0", now: clock.now))
            #expect(spool.seen("key-390", now: clock.now))
        }
        try verify(spool)
        spool.close()
        let reopened = try Spool.open(stateDirectory: directory.path, options: options, logger: .discarding)
        defer { reopened.close() }
        try verify(reopened)
    }

    @Test func theSpoolCompactsOnItsOwn() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = testOptions(segmentSize: 16 << 10)
        options.compactionInterval = .milliseconds(50)
        let spool = try Spool.open(stateDirectory: directory.path, options: options, logger: .discarding)
        defer { spool.close() }
        for _ in 0..<200 {
            let job = makeJob(payloadBytes: 400)
            try await spool.add([job])
            try await spool.completeAndWait(job.id)
        }
        #expect(await eventually { directory.segments.count <= 2 })
        #expect(spool.statistics.depth == 0)
    }

    /// A crash at each system call of a compaction in turn: nothing is lost or duplicated.
    @Test func aCrashDuringCompactionLosesNothing() async throws {
        var changesInCompaction = 0
        var crashPoint = 1
        repeat {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            let clock = ManualTimeSource()
            let options = testOptions(clock: clock, segmentSize: 16 << 10)
            let fileSystem = FaultyFileSystem()
            let spool = try Spool.open(
                stateDirectory: directory.path, options: options, logger: .discarding, fileSystem: fileSystem)
            let jobs = (0..<120).map { _ in makeJob(payloadBytes: 400) }
            for batch in stride(from: 0, to: jobs.count, by: 10) {
                try await spool.add(
                    Array(jobs[batch..<batch + 10]),
                    dedupeKeys: [DedupeKey("k\(batch)", expiresAt: clock.now.adding(.seconds(60)))])
            }
            var live: Set<TimeOrderedID> = []
            for (position, job) in jobs.enumerated() {
                if position % 8 == 0 {
                    live.insert(job.id)
                } else if position % 8 == 1 {
                    spool.kill(job.id, reason: "no", attempts: 1, lastAnswer: nil)
                } else {
                    spool.complete(job.id)
                }
            }
            try await spool.flush()
            let start = fileSystem.changeCount
            if changesInCompaction > 0 {
                fileSystem.crash(atChange: crashPoint, tearing: .random(seed: UInt64(crashPoint)))
            }
            spool.compact()
            if changesInCompaction == 0 {
                changesInCompaction = fileSystem.changeCount - start
                #expect(changesInCompaction > 3)
            } else {
                fileSystem.crash()
            }
            spool.close()
            fileSystem.restart()

            let reopened = try Spool.open(
                stateDirectory: directory.path, options: options, logger: .discarding, fileSystem: fileSystem)
            #expect(Set(reopened.liveJobs.map(\.id)) == live, "crash at change \(crashPoint)")
            #expect(reopened.liveJobs.count == live.count)
            #expect(reopened.deadLetters.count == 15, "crash at change \(crashPoint)")
            #expect(reopened.seen("k0", now: clock.now) && reopened.seen("k110", now: clock.now))
            // A compaction after the crash finishes the work.
            reopened.compact()
            #expect(Set(reopened.liveJobs.map(\.id)) == live)
            reopened.close()
            if changesInCompaction > 0 && crashPoint > 0 { crashPoint += 1 }
        } while crashPoint <= changesInCompaction
    }
}
