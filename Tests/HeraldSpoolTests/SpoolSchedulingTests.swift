import HeraldCore
import HeraldJobs
import Testing

@testable import HeraldSpool

/// The local store as the one owner of a job's life (issue 10): claims, outcomes and operators'
/// changes go through the spool's transitions, and what they leave survives a restart.
@Suite struct SpoolSchedulingTests {
    private let start = WallClock(millisecondsSinceEpoch: 1_800_000_000_000)
    private let limits = DeliveryLimits(global: 4)

    private func job(_ key: String? = "ada@example.com", dueIn seconds: Int64 = 0, action: String = "mandrill") -> Job {
        makeJob(action: action, orderingKey: key, notBefore: start.adding(.seconds(seconds)))
    }

    private func open(_ directory: TemporaryDirectory) throws -> Spool {
        try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
    }

    private func retry(_ claimed: ClaimedJob, at time: WallClock) -> AttemptResult {
        .retry(attempts: claimed.attempts + 1, notBefore: time, mayHaveSent: false, reason: "503")
    }

    /// Issue 9: a job waiting for a retry no longer holds its recipient's later mail; first
    /// attempts still run in the order the jobs were planned.
    @Test func aRetryingJobLeavesItsGroupAndTheNextOneRuns() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let spool = try open(directory)
        defer { spool.close() }
        let jobs = [job(), job(), job()]
        try await spool.add(jobs)
        #expect(spool.wait(of: jobs[1].id) == .unknown)
        let first = spool.claim(now: start, limits: limits)
        #expect(first.map(\.id) == [jobs[0].id])
        #expect(spool.wait(of: jobs[0].id) == .running)
        #expect(spool.state(of: jobs[0].id) == .running)
        #expect(spool.wait(of: jobs[1].id) == .earlierJobs(ahead: 1))
        #expect(spool.wait(of: jobs[2].id) == .earlierJobs(ahead: 2))
        // Job 0 fails and waits an hour: job 1 goes ahead at once.
        #expect(spool.finishAttempt(jobs[0].id, retry(first[0], at: start.adding(.seconds(3600)))))
        #expect(spool.wait(of: jobs[0].id) == .dueTime)
        let second = spool.claim(now: start, limits: limits)
        #expect(second.map(\.id) == [jobs[1].id])
        // Job 2 still waits for job 1's first attempt, not for job 0.
        #expect(spool.claim(now: start, limits: limits).isEmpty)
        spool.finishAttempt(jobs[1].id, .delivered)
        let third = spool.claim(now: start, limits: limits)
        #expect(third.map(\.id) == [jobs[2].id])
        // Job 0's retry finishing later does not release anything of the group again.
        let fourth = job()
        try await spool.add([fourth])
        let late = spool.claim(now: start.adding(.seconds(3600)), limits: limits)
        #expect(late.map(\.id) == [jobs[0].id])
        #expect(late.first?.attempts == 1)
        spool.finishAttempt(jobs[0].id, .delivered)
        #expect(spool.claim(now: start.adding(.seconds(3600)), limits: limits).isEmpty)
        spool.finishAttempt(jobs[2].id, .delivered)
        #expect(spool.claim(now: start.adding(.seconds(3600)), limits: limits).map(\.id) == [fourth.id])
    }

    /// After a restart, jobs already attempted are on their own; unattempted ones keep their
    /// order; a job that was running is queued again.
    @Test func aRestartQueuesRunningJobsAndKeepsTheOrderOfFirstAttempts() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let jobs = [job(dueIn: 0), job(dueIn: 0), job(dueIn: 0)]
        do {
            let spool = try open(directory)
            try await spool.add(jobs)
            let first = spool.claim(now: start, limits: limits)
            spool.finishAttempt(jobs[0].id, retry(first[0], at: start.adding(.seconds(60))))
            _ = spool.claim(now: start, limits: limits)
            #expect(spool.state(of: jobs[1].id) == .running)
            try await spool.flush()
            spool.close()
        }
        let spool = try open(directory)
        defer { spool.close() }
        #expect(spool.state(of: jobs[1].id) == .queued)
        #expect(spool.claim(now: start, limits: limits).map(\.id) == [jobs[1].id])
        #expect(spool.claim(now: start.adding(.seconds(60)), limits: limits).map(\.id) == [jobs[0].id])
    }

    @Test func limitsPerActionAndInAllHoldJobsBack() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let spool = try open(directory)
        defer { spool.close() }
        let mails = (0..<3).map { _ in job(nil) }
        let hooks = (0..<3).map { _ in job(nil, action: "hook") }
        try await spool.add(mails + hooks)
        let limits = DeliveryLimits(global: 3, perAction: ["mandrill": 1])
        let claimed = spool.claim(now: start, limits: limits)
        #expect(claimed.map(\.id) == [mails[0].id, hooks[0].id, hooks[1].id])
        #expect(spool.wait(of: mails[1].id) == .actionConcurrency)
        #expect(spool.runningCount == 3)
        spool.finishAttempt(mails[0].id, .delivered)
        #expect(spool.claim(now: start, limits: limits).map(\.id) == [mails[1].id])
    }

    @Test func aDroppedJobNeverRunsAndItsGroupMovesOn() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let spool = try open(directory)
        defer { spool.close() }
        let jobs = [job(dueIn: 60), job(), job()]
        try await spool.add(jobs)
        #expect(spool.claim(now: start, limits: limits).isEmpty)
        // The second job waits in line; dropping it takes it out of the line.
        #expect(spool.drop(jobs[1].id) == .queued)
        // Dropping the group's head lets the next job run.
        #expect(spool.drop(jobs[0].id) == .queued)
        #expect(spool.claim(now: start, limits: limits).map(\.id) == [jobs[2].id])
        #expect(spool.drop(jobs[0].id) == nil)
        #expect(spool.statistics.depth == 1)
    }

    @Test func aJobDroppedWhileRunningFinishesUnrecorded() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let jobs = [job(), job()]
        do {
            let spool = try open(directory)
            try await spool.add(jobs)
            let claimed = spool.claim(now: start, limits: limits)
            #expect(spool.drop(jobs[0].id) == .running)
            #expect(spool.state(of: jobs[0].id) == nil)
            // The outcome arrives after the drop: not recorded, and the group moves on.
            #expect(!spool.finishAttempt(jobs[0].id, retry(claimed[0], at: start)))
            #expect(spool.runningCount == 0)
            #expect(spool.claim(now: start.adding(.seconds(3600)), limits: limits).map(\.id) == [jobs[1].id])
            try await spool.flush()
            spool.close()
        }
        let spool = try open(directory)
        defer { spool.close() }
        #expect(spool.liveJobs.map(\.id) == [jobs[1].id])
    }

    @Test func anOperatorsRetryRunsAQueuedJobNowButNotARunningOne() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let spool = try open(directory)
        defer { spool.close() }
        let delayed = job(nil, dueIn: 3600)
        let grouped = [job(dueIn: 60), job(dueIn: 3600)]
        try await spool.add([delayed] + grouped)
        #expect(spool.claim(now: start, limits: limits).isEmpty)
        try await withResult { spool.retry(delayed.id, notBefore: start, completion: $0) }
        // An expedited job still waits for the earlier job of its group.
        try await withResult { spool.retry(grouped[1].id, notBefore: start, completion: $0) }
        #expect(spool.claim(now: start, limits: limits).map(\.id) == [delayed.id])
        await #expect(throws: SpoolError.running(delayed.id)) {
            try await withResult { spool.retry(delayed.id, notBefore: start, completion: $0) }
        }
        spool.finishAttempt(delayed.id, .delivered)
        let first = spool.claim(now: start.adding(.seconds(60)), limits: limits)
        #expect(first.map(\.id) == [grouped[0].id])
        spool.finishAttempt(grouped[0].id, .delivered)
        #expect(spool.claim(now: start.adding(.seconds(60)), limits: limits).map(\.id) == [grouped[1].id])
        // The old time, an hour later, is gone: nothing runs twice.
        spool.finishAttempt(grouped[1].id, .delivered)
        #expect(spool.claim(now: start.adding(.seconds(7200)), limits: limits).isEmpty)
        #expect(spool.statistics.depth == 0)
    }

    /// Issue 10: the start of a revived dead letter's retry series is durable, through restarts
    /// and compaction (it used to live in the scheduler's memory only).
    @Test func aRevivedDeadLettersSeriesStartSurvivesRestartsAndCompaction() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualTimeSource()
        var options = testOptions(clock: clock, segmentSize: 4096)
        options.compactionThreshold = 1
        let revivedAt = start.adding(.seconds(86_400))
        let letter = job(nil)
        do {
            let spool = try Spool.open(stateDirectory: directory.path, options: options, logger: .discarding)
            try await spool.add([letter])
            let claimed = spool.claim(now: start, limits: limits)
            #expect(claimed.first?.seriesStart == nil)
            spool.finishAttempt(letter.id, .dead(attempts: 1, reason: "rejected", lastAnswer: nil))
            #expect(spool.state(of: letter.id) == .dead)
            try await withResult { spool.retry(letter.id, notBefore: revivedAt, completion: $0) }
            #expect(spool.state(of: letter.id) == .queued)
            spool.close()
        }
        for round in 0..<2 {
            let spool = try Spool.open(stateDirectory: directory.path, options: options, logger: .discarding)
            if round == 0 {
                // Fill segments so that the job's records are compacted into a new one.
                try await spool.add((0..<40).map { _ in job(nil, dueIn: 200_000) })
                let report = spool.compact()
                #expect(report.jobsCopied > 0, "the revived job's record is copied forward")
                spool.close()
                continue
            }
            defer { spool.close() }
            #expect(spool.deadLetters.isEmpty)
            let claimed = spool.claim(now: revivedAt, limits: limits)
            #expect(claimed.map(\.id) == [letter.id])
            #expect(claimed.first?.attempts == 0)
            #expect(claimed.first?.seriesStart == revivedAt)
        }
    }

    @Test func theTransitionsAllowedFromEachState() {
        let all: [JobTransition] = [.claim, .deliver, .retry, .fail, .release, .expedite, .revive, .drop]
        func allowed(_ state: JobState) -> [String] {
            all.compactMap { transition in state.after(transition).map { "\(transition)→\($0)" } }
        }
        #expect(allowed(.queued) == ["claim→running", "expedite→queued", "drop→done"])
        #expect(
            allowed(.running) == ["deliver→done", "retry→queued", "fail→dead", "release→queued", "drop→done"])
        #expect(allowed(.dead) == ["revive→queued", "drop→done"])
        #expect(allowed(.done).isEmpty)
    }
}
