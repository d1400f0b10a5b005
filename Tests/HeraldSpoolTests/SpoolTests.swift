import Dispatch
import Foundation
import HeraldCore
import HeraldJobs
import Synchronization
import Testing

@testable import HeraldSpool

struct SpoolTests {
    @Test func addedJobsSurviveReopenWithTheirPayloads() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let jobs = (0..<50).map { index in makeJob(orderingKey: index % 3 == 0 ? nil : "user\(index % 5)@example.com") }
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        try await spool.add(Array(jobs[..<20]))
        try await spool.add(Array(jobs[20...]))
        #expect(spool.liveJobs.map(\.id) == jobs.map(\.id))
        spool.close()

        let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        defer { reopened.close() }
        let live = reopened.liveJobs
        #expect(live.map(\.id) == jobs.map(\.id))
        for (summary, job) in zip(live, jobs) {
            #expect(summary.action == job.action)
            #expect(summary.createdAt == job.createdAt)
            #expect(summary.notBefore == job.notBefore)
            #expect((summary.orderingGroup == nil) == (job.orderingKey == nil))
            let stored = try reopened.job(job.id)
            #expect(stored.payload == job.payload)
            #expect(stored.eventID == job.eventID)
            #expect(stored.eventName == job.eventName)
            #expect(stored.route == job.route)
            #expect(stored.orderingKey == job.orderingKey)
        }
        // Same action and key: same group; another key: another group.
        #expect(live[1].orderingGroup == live[11].orderingGroup)
        #expect(live[1].orderingGroup != live[2].orderingGroup)
    }

    /// A delayed job keeps its due time (max_age counts from it) across a reopen and a compaction;
    /// other jobs' records are written as before, without it.
    @Test func aDelayedJobsDueTimeSurvivesReopenAndCompaction() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let delayed = makeJob(notBefore: WallClock(millisecondsSinceEpoch: 1_800_000_086_400))
        let plain = makeJob(notBefore: WallClock(millisecondsSinceEpoch: 1_800_000_000_000))
        #expect(delayed.dueAt == delayed.notBefore && plain.dueAt == plain.createdAt)
        #expect(EncodedRecord.jobAdded(delayed).frame.count == EncodedRecord.jobAdded(plain).frame.count + 8)
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        try await spool.add([delayed, plain])
        spool.recordAttempt(
            delayed.id, attempts: 1, notBefore: WallClock(millisecondsSinceEpoch: 1_800_000_090_000),
            mayHaveSent: false,
            reason: "x")
        spool.close()
        for _ in 0..<2 {
            let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
            #expect(try reopened.job(delayed.id).dueAt == delayed.dueAt)
            #expect(try reopened.job(delayed.id).notBefore.millisecondsSinceEpoch == 1_800_000_090_000)
            #expect(try reopened.job(plain.id).dueAt == plain.createdAt)
            _ = reopened.compact()
            reopened.close()
        }
    }

    /// A job's trace (trace id, ingress span, flags, tracestate) survives a reopen and a
    /// compaction, which copies the record with its attempts patched in place.
    @Test func aJobsTraceSurvivesReopenAndCompaction() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var traced = makeJob()
        let trace = try #require(
            TraceContext(
                traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                tracestate: ["rojo=00f067aa0ba902b7"]))
        traced.trace = trace
        var delayed = makeJob(notBefore: WallClock(millisecondsSinceEpoch: 1_800_000_086_400))
        delayed.trace = TraceContext.start()
        let plain = makeJob()
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        try await spool.add([traced, delayed, plain])
        spool.recordAttempt(
            traced.id, attempts: 1, notBefore: WallClock(millisecondsSinceEpoch: 1_800_000_090_000), mayHaveSent: false,
            reason: "x")
        spool.close()
        for _ in 0..<2 {
            let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
            #expect(try reopened.job(traced.id).trace == trace)
            #expect(try reopened.job(traced.id).trace?.state == "rojo=00f067aa0ba902b7")
            #expect(try reopened.job(traced.id).attempts == 1)
            #expect(try reopened.job(traced.id).dueAt == traced.createdAt)
            #expect(try reopened.job(delayed.id).trace == delayed.trace)
            #expect(try reopened.job(delayed.id).dueAt == delayed.dueAt)
            #expect(try reopened.job(plain.id).trace == nil)
            _ = reopened.compact()
            reopened.close()
        }
    }

    /// "Job added" records as versions before traces wrote them (payload last, or the due time
    /// after it) read as jobs without a trace; a trailer Herald does not know is an error, not
    /// a guess.
    @Test func jobRecordsWithoutATraceReadAsBefore() throws {
        let plain = makeJob()
        let delayed = makeJob(notBefore: WallClock(millisecondsSinceEpoch: 1_800_000_086_400))
        for job in [plain, delayed] {
            let frame = EncodedRecord.jobAdded(job).frame
            let decoded = try frame.withUnsafeBytes { raw in
                try SpoolRecord.decodeJob(payload: UnsafeRawBufferPointer(rebasing: raw[RecordEncoder.headerSize...]))
            }
            #expect(decoded.trace == nil && decoded.dueAt == job.dueAt && decoded.payload == job.payload)
        }
        var traced = makeJob()
        traced.trace = TraceContext.start()
        var frame = EncodedRecord.jobAdded(traced).frame
        let tagOffset = frame.count - (1 + 16 + 8 + 1 + 1)
        #expect(frame[tagOffset] == RecordEncoder.traceTag)
        frame[tagOffset] = 9
        #expect(throws: RecordDecodingError.self) {
            try frame.withUnsafeBytes { raw in
                try SpoolRecord.decodeJob(payload: UnsafeRawBufferPointer(rebasing: raw[RecordEncoder.headerSize...]))
            }
        }
    }

    @Test func attemptsCompletionsAndDeathsSurviveReopen() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let jobs = (0..<4).map { _ in makeJob() }
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        try await spool.add(jobs)
        let later = WallClock(millisecondsSinceEpoch: 1_800_000_060_000)
        spool.recordAttempt(jobs[0].id, attempts: 2, notBefore: later, mayHaveSent: false, reason: "503 from Mandrill")
        spool.complete(jobs[1].id)
        spool.kill(jobs[2].id, reason: "rejected recipient", attempts: 1, lastAnswer: #"{"status":"rejected"}"#)
        try await spool.flush()
        #expect(spool.liveJobs.map(\.id) == [jobs[0].id, jobs[3].id])
        spool.close()

        let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        defer { reopened.close() }
        let live = reopened.liveJobs
        #expect(live.map(\.id) == [jobs[0].id, jobs[3].id])
        #expect(live[0].attempts == 2)
        #expect(live[0].notBefore == later)
        #expect(try reopened.job(jobs[0].id).attempts == 2)
        #expect(throws: SpoolError.notFound(jobs[1].id)) { try reopened.job(jobs[1].id) }
        let dead = reopened.deadLetters
        #expect(dead.map(\.id) == [jobs[2].id])
        #expect(dead.first?.reason == "rejected recipient")
        #expect(dead.first?.attempts == 1)
        #expect(dead.first?.lastAnswer == #"{"status":"rejected"}"#)
        let letter = try reopened.deadLetter(jobs[2].id)
        #expect(letter.job.payload == jobs[2].payload)
        #expect(reopened.statistics.depth == 2)
        #expect(reopened.statistics.deadLetters == 1)
    }

    @Test func deadLettersCanBeRetriedAndDropped() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let jobs = (0..<3).map { _ in makeJob() }
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        try await spool.add(jobs)
        for job in jobs { spool.kill(job.id, reason: "gave up", attempts: 7, lastAnswer: nil) }
        try await spool.flush()
        #expect(spool.liveJobs.isEmpty)

        let now = WallClock(millisecondsSinceEpoch: 1_800_000_100_000)
        try await withResult { spool.retry(jobs[0].id, notBefore: now, completion: $0) }
        try await withResult { spool.drop(jobs[1].id, completion: $0) }
        await #expect(throws: SpoolError.notFound(jobs[1].id)) {
            try await withResult { spool.drop(jobs[1].id, completion: $0) }
        }
        spool.close()

        let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        defer { reopened.close() }
        let live = reopened.liveJobs
        #expect(live.map(\.id) == [jobs[0].id])
        #expect(live.first?.attempts == 0)  // a new series of attempts
        #expect(live.first?.notBefore == now)
        #expect(reopened.deadLetters.map(\.id) == [jobs[2].id])
    }

    @Test func dedupeKeysSurviveReopenAndExpire() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualTimeSource()
        let spool = try Spool.open(
            stateDirectory: directory.path, options: testOptions(clock: clock), logger: .discarding)
        let trigger = "trigger-7f1c"
        #expect(!spool.seen(trigger, now: clock.now))
        try await spool.add([makeJob()], dedupeKeys: [DedupeKey(trigger, expiresAt: clock.now.adding(.seconds(60)))])
        #expect(spool.seen(trigger, now: clock.now))
        #expect(!spool.seen("another", now: clock.now))
        #expect(!spool.seen(trigger, now: clock.now.adding(.seconds(61))))
        spool.close()

        let reopened = try Spool.open(
            stateDirectory: directory.path, options: testOptions(clock: clock), logger: .discarding)
        #expect(reopened.seen(trigger, now: clock.now))
        #expect(reopened.statistics.dedupeKeys == 1)
        reopened.close()

        clock.advance(.seconds(120))
        let expired = try Spool.open(
            stateDirectory: directory.path, options: testOptions(clock: clock), logger: .discarding)
        defer { expired.close() }
        #expect(!expired.seen(trigger, now: clock.now))
        #expect(expired.statistics.dedupeKeys == 0)
    }

    @Test func dedupeTableStaysWithinItsCapacity() {
        var table = DedupeTable(capacity: 100)
        for key in 0..<1000 {
            _ = table.insert(Digest.dedupe("key-\(key)"), expiresAt: 10_000, segment: 1, now: 0)
            _ = table.sweep(now: 0)
        }
        #expect(table.count == 100)
        #expect(table.evicted == 900)
        #expect(table.contains(Digest.dedupe("key-999"), now: 0))
        #expect(!table.contains(Digest.dedupe("key-0"), now: 0))
    }

    /// Expiry order kept in chunks: first in, first out across chunk boundaries, and again after
    /// the queue ran empty.
    @Test func theChunkedQueueIsFirstInFirstOut() {
        var queue = ChunkedQueue<Int>(chunkSize: 3)
        #expect(queue.isEmpty && queue.first == nil)
        for value in 0..<7 { queue.append(value) }
        var taken: [Int] = []
        for _ in 0..<5 {
            taken.append(queue.first ?? -1)
            queue.removeFirst()
        }
        for value in 7..<9 { queue.append(value) }
        while let value = queue.first {
            taken.append(value)
            queue.removeFirst()
        }
        #expect(taken == Array(0..<9))
        #expect(queue.isEmpty)
        queue.append(9)
        #expect(queue.first == 9)
    }

    /// Many appenders on several threads share fdatasyncs: fewer syncs than appends, and every
    /// completion reports success.
    @Test func concurrentAppendsShareOneFsync() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let spool = try Spool.open(
            stateDirectory: directory.path, options: testOptions(), logger: .discarding, fileSystem: fileSystem)
        let syncsBefore = fileSystem.syncCount
        let appends = 2000
        let succeeded = Atomic<Int>(0)
        let group = DispatchGroup()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for _ in 0..<appends / 8 {
                group.enter()
                spool.add([makeJob()]) { result in
                    if case .success = result { succeeded.add(1, ordering: .relaxed) }
                    group.leave()
                }
            }
        }
        group.wait()
        let syncs = fileSystem.syncCount - syncsBefore
        #expect(succeeded.load(ordering: .relaxed) == appends)
        #expect(syncs < appends / 2, "\(syncs) fdatasyncs for \(appends) appends")
        #expect(spool.liveJobs.count == appends)
        spool.close()
    }

    @Test func anOversizedRecordIsRefusedAtOnce() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = testOptions()
        options.maxRecordBytes = 1000
        let spool = try Spool.open(stateDirectory: directory.path, options: options, logger: .discarding)
        defer { spool.close() }
        await #expect(throws: SpoolError.self) { try await spool.add([makeJob(payloadBytes: 5000)]) }
        try await spool.add([makeJob(payloadBytes: 100)])
        #expect(spool.liveJobs.count == 1)
    }

    @Test func appendsAfterCloseFail() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        spool.close()
        await #expect(throws: SpoolError.closed) { try await spool.add([makeJob()]) }
    }
}

/// Runs a completion-style call and waits for its result.
func withResult(_ call: (@escaping SpoolCompletion) -> Void) async throws(SpoolError) {
    let result = await withCheckedContinuation { continuation in
        call { continuation.resume(returning: $0) }
    }
    try result.get()
}
