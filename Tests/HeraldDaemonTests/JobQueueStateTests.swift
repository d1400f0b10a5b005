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
