import HeraldJobs
import Testing

/// The executor's doorbell: rings are never lost, and a wait with a timeout always ends by it,
/// also when the timer of an earlier wait is kept. Only lower bounds on time are asserted (a timer
/// never fires early); upper bounds are a generous "it did not hang".
@Suite struct DoorbellTests {
    private func elapsed(_ body: () async -> Void) async -> Duration {
        let start = ContinuousClock.now
        await body()
        return ContinuousClock.now - start
    }

    @Test func aRingBeforeTheWaitIsRemembered() async {
        let bell = Doorbell()
        bell.ring()
        let took = await elapsed { await bell.wait(upTo: .seconds(30)) }
        #expect(took < .seconds(10))
    }

    /// A loop rung before its timeout, waiting again for the same moment (the executor under
    /// ingress with a `delay:` route), starts one timer, not one per wait.
    @Test func waitsForTheSameMomentShareOneTimer() async {
        let bell = Doorbell()
        let due = ContinuousClock.now + .seconds(60)
        for _ in 0..<100 {
            bell.ring()
            await bell.wait(upTo: due - ContinuousClock.now)
        }
        #expect(bell.timersStarted == 1)
    }

    @Test func aWaitWithATimeoutEndsWithoutARing() async {
        let bell = Doorbell()
        let took = await elapsed { await bell.wait(upTo: .milliseconds(50)) }
        #expect(took >= .milliseconds(50))
        #expect(took < .seconds(10))
    }

    @Test func aKeptTimerEndsTheNextWaitNoEarlierThanHalfOfIt() async {
        let bell = Doorbell()
        bell.ring()
        await bell.wait(upTo: .milliseconds(400))  // rung at once; its timer stays armed
        let took = await elapsed { await bell.wait(upTo: .milliseconds(500)) }
        #expect(took >= .milliseconds(250))
        #expect(took < .seconds(10))
    }

    @Test func aShorterWaitGetsATimerOfItsOwn() async {
        let bell = Doorbell()
        bell.ring()
        await bell.wait(upTo: .seconds(60))
        let took = await elapsed { await bell.wait(upTo: .milliseconds(50)) }
        #expect(took >= .milliseconds(50))
        #expect(took < .seconds(10), "the 60 s timer was kept for a 50 ms wait")
    }

    @Test func aWaitWithoutTimeoutCancelsTheTimer() async {
        let bell = Doorbell()
        bell.ring()
        await bell.wait(upTo: .milliseconds(20))
        let ringer = Task {
            try? await Task.sleep(for: .milliseconds(300))
            bell.ring()
        }
        let took = await elapsed { await bell.wait(upTo: nil) }
        await ringer.value
        #expect(took >= .milliseconds(250), "the earlier wait's timer woke a wait without a timeout")
    }

    /// New work due after the waiting loop's timer needs no ring: the timer brings the loop
    /// round in time. Work due earlier, or a loop without a timer, is rung at once. Each ring
    /// comes once the loop waits (a ring before the wait is remembered, which is another test).
    @Test func workDueAfterTheTimerDoesNotWakeTheLoop() async {
        let bell = Doorbell()
        let late = Task { await elapsed { await bell.wait(upTo: .seconds(2)) } }
        await untilWaiting(bell)
        bell.ring(dueIn: .seconds(60))
        let took = await late.value
        #expect(took >= .seconds(2), "a ring for work due in a minute ended a 2 s wait")
        #expect(bell.ringsSkipped == 1)

        let early = Task { await elapsed { await bell.wait(upTo: .seconds(60)) } }
        await untilWaiting(bell)
        bell.ring(dueIn: .zero)
        #expect(await early.value < .seconds(30), "work due now did not end a wait for a minute")

        let forever = Task { await elapsed { await bell.wait(upTo: nil) } }
        await untilWaiting(bell)
        bell.ring(dueIn: .seconds(3600))
        #expect(await forever.value < .seconds(30), "a loop waiting without a timer was not told")
        #expect(bell.ringsSkipped == 1)
    }

    /// Returns once a loop waits on `bell` (or after 10 s, and the test's expectations say why).
    private func untilWaiting(_ bell: Doorbell) async {
        let start = ContinuousClock.now
        while !bell.hasWaiter && ContinuousClock.now - start < .seconds(10) {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func aRingForLaterWorkWhileNobodyWaitsIsRemembered() async {
        let bell = Doorbell()
        bell.ring(dueIn: .seconds(3600))
        let took = await elapsed { await bell.wait(upTo: .seconds(60)) }
        #expect(took < .seconds(30))
    }
}
