import HeraldCore
import HeraldSpool
import Testing

@testable import HeraldDaemon

/// The scheduler's bookkeeping, including what an operator's retry and drop change in it.
@Suite struct JobQueueStateTests {
    private let start = WallClock(millisecondsSinceEpoch: 1_000_000)
    private let limits = Scheduler.Limits(global: 4, perAction: [:], attemptTimeout: .seconds(30))

    private func job(_ number: UInt64, group: UInt64? = nil, dueIn seconds: Int64 = 0, action: String = "mail")
        -> JobSummary
    {
        JobSummary(
            id: TimeOrderedID(high: number, low: 0), action: action, orderingGroup: group, createdAt: start,
            notBefore: start.adding(.seconds(seconds)), attempts: 0)
    }

    /// Issue 9: a job waiting for a retry no longer holds its recipient's later mail; first
    /// attempts still run in the order the jobs were planned.
    @Test func aRetryingJobLeavesItsGroupAndTheNextOneRuns() {
        var state = JobQueueState()
        state.add(job(1, group: 7))
        state.add(job(2, group: 7))
        state.add(job(3, group: 7))
        #expect(state.wait(of: job(2, group: 7)) == .earlierJobs(ahead: 1))
        #expect(state.wait(of: job(3, group: 7)) == .earlierJobs(ahead: 2))
        let first = state.takeReady(now: start, limits: limits)
        #expect(first.map(\.id) == [job(1).id])
        #expect(state.wait(of: first[0]) == .running)
        // Job 1 fails and waits an hour: job 2 goes ahead at once.
        var retry = first[0]
        retry.attempts = 1
        retry.notBefore = start.adding(.seconds(3600))
        state.reschedule(retry)
        #expect(state.wait(of: retry) == .dueTime)
        let second = state.takeReady(now: start, limits: limits)
        #expect(second.map(\.id) == [job(2).id])
        // Job 3 still waits for job 2's first attempt, not for job 1.
        #expect(state.takeReady(now: start, limits: limits).isEmpty)
        state.finish(second[0])
        let third = state.takeReady(now: start, limits: limits)
        #expect(third.map(\.id) == [job(3).id])
        // Job 1's retry finishing later does not release anything of the group again.
        state.add(job(4, group: 7))
        let late = state.takeReady(now: start.adding(.seconds(3600)), limits: limits)
        #expect(late.map(\.id) == [job(1).id])
        state.finish(late[0])
        #expect(state.takeReady(now: start.adding(.seconds(3600)), limits: limits).isEmpty)
        state.finish(third[0])
        #expect(state.takeReady(now: start.adding(.seconds(3600)), limits: limits).map(\.id) == [job(4).id])
    }

    /// After a restart, jobs already attempted are on their own; unattempted ones keep their order.
    @Test func attemptedJobsAreNotOrderedAfterARestart() {
        var state = JobQueueState()
        var attempted = job(1, group: 7, dueIn: 60)
        attempted.attempts = 2
        state.add(attempted)
        state.add(job(2, group: 7))
        #expect(state.takeReady(now: start, limits: limits).map(\.id) == [job(2).id])
    }

    @Test func aDroppedJobNeverRuns() {
        var state = JobQueueState()
        state.add(job(1))
        state.add(job(2))
        let dropped = state.drop(job(1))
        #expect(dropped)
        #expect(state.count == 1)
        #expect(state.takeReady(now: start, limits: limits).map(\.id) == [job(2).id])
    }

    @Test func droppingAGroupsHeadLetsTheNextJobRun() {
        var state = JobQueueState()
        state.add(job(1, group: 7, dueIn: 60))
        state.add(job(2, group: 7))
        #expect(state.takeReady(now: start, limits: limits).isEmpty)
        let dropped = state.drop(job(1, group: 7, dueIn: 60))
        #expect(dropped)
        #expect(state.takeReady(now: start, limits: limits).map(\.id) == [job(2).id])
    }

    @Test func droppingAJobWaitingInItsGroupTakesItOutOfLine() {
        var state = JobQueueState()
        state.add(job(1, group: 7))
        state.add(job(2, group: 7))
        state.add(job(3, group: 7))
        let dropped = state.drop(job(2, group: 7))
        #expect(dropped)
        let first = state.takeReady(now: start, limits: limits)
        #expect(first.map(\.id) == [job(1).id])
        state.finish(first[0])
        #expect(state.takeReady(now: start, limits: limits).map(\.id) == [job(3).id])
        #expect(state.count == 1)
    }

    @Test func aJobDroppedWhileRunningIsNotRetried() {
        var state = JobQueueState()
        state.add(job(1))
        let running = state.takeReady(now: start, limits: limits)
        #expect(state.isRunning(job(1).id))
        let dropped = state.drop(job(1))
        #expect(!dropped)
        #expect(state.count == 0)
        var again = running[0]
        again.notBefore = start
        state.reschedule(again)
        #expect(state.count == 0 && state.running == 0)
        #expect(state.takeReady(now: start.adding(.seconds(3600)), limits: limits).isEmpty)
    }

    @Test func expeditingADelayedJobRunsItNowAndOnce() {
        var state = JobQueueState()
        state.add(job(1, dueIn: 3600))
        #expect(state.takeReady(now: start, limits: limits).isEmpty)
        let expedited = state.expedite(job(1, dueIn: 0))
        #expect(expedited)
        let ready = state.takeReady(now: start, limits: limits)
        #expect(ready.map(\.id) == [job(1).id])
        state.finish(ready[0])
        // The old entry, due in an hour, is stale and never runs.
        #expect(state.takeReady(now: start.adding(.seconds(7200)), limits: limits).isEmpty)
        #expect(state.count == 0)
    }

    @Test func anExpeditedJobStillWaitsForItsGroup() {
        var state = JobQueueState()
        state.add(job(1, group: 7, dueIn: 60))
        state.add(job(2, group: 7, dueIn: 3600))
        let expedited = state.expedite(job(2, group: 7, dueIn: 0))
        #expect(expedited)
        #expect(state.takeReady(now: start, limits: limits).isEmpty)
        let first = state.takeReady(now: start.adding(.seconds(60)), limits: limits)
        #expect(first.map(\.id) == [job(1).id])
        state.finish(first[0])
        #expect(state.takeReady(now: start.adding(.seconds(60)), limits: limits).map(\.id) == [job(2).id])
    }

    @Test func aRunningJobCannotBeExpedited() {
        var state = JobQueueState()
        state.add(job(1))
        _ = state.takeReady(now: start, limits: limits)
        let expedited = state.expedite(job(1))
        #expect(!expedited)
    }
}
