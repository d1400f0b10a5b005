import HeraldCore
import HeraldJobs
import HeraldTestSupport
import Testing

/// The one executor against an in-memory store and a manual clock: verdicts, retries until
/// `max_age`, ambiguity carried to the next attempt, fenced verdicts, limits, order per recipient
/// without head-of-line blocking, and a stop that lets attempts finish.
@Suite struct DeliveryExecutorTests {
    private let clock = ManualClock()
    private let ids = TimeOrderedIDGenerator()

    private func job(action: String = "mail", key: String? = nil, payload: JSON = ["to": "a@example.com"]) -> Job {
        Job(
            id: ids.next(), eventID: ids.next(), eventName: EventName("registration.after")!, route: "welcome",
            action: action, payload: payload, orderingKey: key, createdAt: clock.now, notBefore: clock.now)
    }

    private func snapshot(
        _ actions: [ScriptedAction], limits: DeliveryLimits = DeliveryLimits(global: 8),
        retry: RetryPolicy = RetryPolicy(schedule: [.seconds(10)], jitter: 0, maxAge: .seconds(25))
    ) -> DeliverySnapshot {
        DeliverySnapshot(
            actions: Dictionary(uniqueKeysWithValues: actions.map { ($0.name, $0 as any Action) }), limits: limits,
            retry: retry)
    }

    /// Runs the executor while `body` runs, then stops it and waits for it to end.
    private func running(
        _ store: InMemoryJobStore, _ snapshot: DeliverySnapshot, logs: RecordingLogHandler = RecordingLogHandler(),
        spans: RecordingSpanSink? = nil, _ body: (DeliveryExecutor<InMemoryJobStore>) async throws -> Void
    ) async rethrows {
        let executor = DeliveryExecutor(
            store: store, settings: { snapshot }, clock: clock, logger: Logger(handler: logs, level: .debug),
            spans: spans)
        let task = Task { await executor.run() }
        try await body(executor)
        executor.stop(deadline: .now + .seconds(5))
        await task.value
    }

    @Test func aDeliveredJobIsGoneAndLoggedWithItsKeys() async {
        let store = InMemoryJobStore(clock: clock)
        let mail = ScriptedAction()
        let logs = RecordingLogHandler()
        let delivered = job()
        store.add([delivered])
        await running(store, snapshot([mail]), logs: logs) { _ in await store.waitForFinished(1) }
        #expect(store.finished.map(\.verdict) == [.delivered(detail: "ok")])
        #expect(store.entry(delivered.id) == nil)
        let line = logs.records.first { $0.message == "job delivered" }
        #expect(
            line?.fields.map(\.0) == [
                "job", "trace_id", "event", "event_id", "route", "action", "attempt", "outcome", "latency_ms",
                "detail",
            ])
    }

    /// Each attempt is a child span of the ingress span the job names: the plugin gets it in its
    /// context and as the HTTP client's `OutboundTrace`, its log line names the trace, and a
    /// span with the outcome goes to the sink; a second attempt gets a span of its own.
    @Test func eachAttemptIsAChildSpanOfTheJobsIngressSpan() async throws {
        let store = InMemoryJobStore(clock: clock)
        let mail = ScriptedAction(outcomes: [.retry(after: nil, reason: "503 for a@example.com", ambiguous: false)])
        let logs = RecordingLogHandler()
        let spans = RecordingSpanSink()
        var traced = job()
        let ingress = try #require(
            TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: ["rojo=1"])
        )
        traced.trace = ingress
        store.add([traced])
        await running(store, snapshot([mail]), logs: logs, spans: spans) { executor in
            await store.waitForFinished(1)
            clock.advance(by: .seconds(11))
            executor.wake()
            await store.waitForFinished(2)
        }
        let calls = mail.calls
        #expect(calls.count == 2)
        for call in calls {
            #expect(call.trace?.traceID == ingress.traceID && call.trace?.state == "rojo=1")
            #expect(call.trace?.spanID != ingress.spanID)
            #expect(call.outbound == call.trace)
        }
        #expect(calls[0].trace?.spanID != calls[1].trace?.spanID)
        let recorded = spans.spans
        #expect(recorded.count == 2)
        #expect(recorded.map(\.trace.spanID) == calls.compactMap(\.trace?.spanID))
        #expect(recorded.allSatisfy { $0.parentSpanID == ingress.spanID && $0.kind == .client })
        #expect(recorded[0].attribute("herald.outcome") == .string("retry"))
        #expect(recorded[0].attribute("herald.verdict") == .string("retry"))
        #expect(recorded[0].status == .error("retry"))
        #expect(recorded[1].attribute("herald.outcome") == .string("delivered") && recorded[1].status == .ok)
        #expect(recorded[1].attribute("herald.plugin") == .string("scripted"))
        #expect(recorded[1].attribute("herald.attempt") == .int(2))
        // No reason (a peer's words may name the recipient) and no payload in any attribute.
        #expect(!recorded.flatMap(\.attributes).contains { "\($0.1)".contains("example.com") })
        let lines = logs.records.filter { $0.message == "job delivered" || $0.message == "job will be retried" }
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.fields.contains { $0.0 == "trace_id" && $0.1 == .string(ingress.traceID.hex) } })
    }

    /// An unsampled trace is still passed on, but no span is recorded; a job stored before
    /// traces were kept gets a trace of its own per attempt, as a root span.
    @Test func unsampledTracesAreNotRecordedAndOldJobsGetATrace() async throws {
        let store = InMemoryJobStore(clock: clock)
        let mail = ScriptedAction()
        let spans = RecordingSpanSink()
        var unsampled = job()
        unsampled.trace = TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
        #expect(unsampled.trace != nil)
        let old = job()
        store.add([unsampled, old])
        await running(store, snapshot([mail]), spans: spans) { _ in await store.waitForFinished(2) }
        let calls = Dictionary(uniqueKeysWithValues: mail.calls.map { ($0.id, $0) })
        #expect(calls[unsampled.id]?.outbound?.traceID == unsampled.trace?.traceID)
        #expect(calls[unsampled.id]?.outbound?.isSampled == false)
        let fresh = try #require(calls[old.id]?.outbound)
        #expect(fresh.isSampled)
        #expect(spans.spans.map(\.trace) == [fresh])
        #expect(spans.spans.first?.parentSpanID == nil)
    }

    /// Retries wait for their time (the manual clock) and end as a dead letter once the next
    /// attempt would be past max_age, saying why.
    @Test func retriesWaitTheirTimeThenExpire() async {
        let store = InMemoryJobStore(clock: clock)
        let busy = Outcome.retry(after: nil, reason: "503", ambiguous: false)
        let mail = ScriptedAction(outcomes: [busy, busy, busy])
        let failing = job()
        store.add([failing])
        await running(store, snapshot([mail])) { executor in
            await store.waitForFinished(1)
            #expect(store.entry(failing.id)?.state == .queued)
            // Not due yet: the executor waits.
            executor.wake()
            #expect(mail.calls.count == 1)
            clock.advance(by: .seconds(10))
            executor.wake()
            await store.waitForFinished(2)
            clock.advance(by: .seconds(10))
            executor.wake()
            await store.waitForFinished(3)
        }
        #expect(mail.calls.map(\.attempt) == [1, 2, 3])
        #expect(store.finished.map(\.attempts) == [1, 2, 3])
        #expect(store.finished.last?.verdict == .dead(.expired(attempts: 3, maxAge: .seconds(25), last: "503")))
        #expect(store.entry(failing.id)?.death?.reason == "gave up after 3 attempts (max_age 25s); last: 503")
    }

    /// An ambiguous retry is recorded as maybe-sent, and the next attempt is told so.
    @Test func anAmbiguousAttemptMakesTheNextOneAskFirst() async {
        let store = InMemoryJobStore(clock: clock)
        let mail = ScriptedAction(outcomes: [.retry(after: nil, reason: "timed out", ambiguous: true)])
        store.add([job()])
        await running(store, snapshot([mail])) { executor in
            await store.waitForFinished(1)
            clock.advance(by: .seconds(10))
            executor.wake()
            await store.waitForFinished(2)
        }
        #expect(mail.calls.map(\.previousAttemptMayHaveSent) == [false, true])
        guard case .retry(_, _, let mayHaveSent)? = store.finished.first?.verdict else {
            Issue.record("no retry")
            return
        }
        #expect(mayHaveSent)
    }

    /// A job dropped while its attempt runs: the store refuses the verdict, nothing is counted.
    @Test func aVerdictForAJobDroppedMeanwhileIsRefused() async throws {
        let store = InMemoryJobStore(clock: clock)
        let mail = ScriptedAction(held: true)
        let logs = RecordingLogHandler()
        let dropped = job()
        store.add([dropped])
        try await running(store, snapshot([mail]), logs: logs) { _ in
            try await eventually { mail.calls.count == 1 }
            #expect(try store.dropJob(dropped.id) == .running)
            mail.release()
            await store.waitForFinished(1)
        }
        #expect(store.finished.map(\.result) == [.dropped])
        #expect(logs.records.contains { $0.message.contains("dropped by an operator during its attempt") })
        #expect(!logs.records.contains { $0.message == "job delivered" })
    }

    /// At most `delivery.concurrency` attempts at once, and an action's own limit within it.
    @Test func limitsHoldAttemptsBack() async throws {
        let store = InMemoryJobStore(clock: clock)
        let mail = ScriptedAction(name: "mail", held: true)
        let hook = ScriptedAction(name: "hook", held: true)
        store.add((0..<4).map { _ in job(action: "mail") } + (0..<4).map { _ in job(action: "hook") })
        let limits = DeliveryLimits(global: 3, perAction: ["mail": 1])
        try await running(store, snapshot([mail, hook], limits: limits)) { executor in
            try await eventually { mail.calls.count + hook.calls.count == 3 }
            executor.wake()
            #expect(mail.calls.count == 1 && hook.calls.count == 2)
            #expect(executor.running == 3)
            mail.release()
            hook.release()
            await store.waitForFinished(8)
        }
        #expect(mail.mostRunning == 1)
        #expect(mail.mostRunning + hook.mostRunning <= 3)
    }

    /// First attempts to one recipient run in order; a job waiting for its retry does not hold
    /// the later ones back.
    @Test func orderPerRecipientWithoutHeadOfLineBlocking() async {
        let store = InMemoryJobStore(clock: clock)
        let mail = ScriptedAction(outcomes: [.retry(after: .seconds(3600), reason: "busy", ambiguous: false)])
        let first = job(key: "ada@example.com")
        let second = job(key: "ada@example.com")
        let third = job(key: "ada@example.com")
        store.add([third, first, second])
        let retry = RetryPolicy(schedule: [.seconds(10)], jitter: 0, maxAge: .seconds(86_400))
        await running(store, snapshot([mail], retry: retry)) { _ in await store.waitForFinished(3) }
        #expect(mail.calls.map(\.id) == [first.id, second.id, third.id])
        #expect(store.entry(first.id)?.state == .queued)
        #expect(store.entry(second.id) == nil && store.entry(third.id) == nil)
    }

    /// A job whose record cannot be read, and a job whose action left the configuration, become
    /// dead letters that say why, without an attempt.
    @Test func unreadableJobsAndGoneActionsBecomeDeadLetters() async {
        let store = InMemoryJobStore(clock: clock)
        let mail = ScriptedAction()
        let unreadable = job(payload: ["unreadable": true])
        let orphan = job(action: "removed")
        store.add([unreadable, orphan])
        await running(store, snapshot([mail])) { _ in await store.waitForFinished(2) }
        #expect(mail.calls.isEmpty)
        #expect(store.entry(unreadable.id)?.death?.reason == "its record cannot be read: its payload cannot be read")
        #expect(store.entry(unreadable.id)?.attempts == 0)
        #expect(store.entry(orphan.id)?.death?.reason == "action 'removed' is not in the configuration any more")
    }

    /// After `stop`, attempts under way finish and are recorded; nothing new is claimed.
    @Test func stopLetsAttemptsFinishAndClaimsNothingMore() async throws {
        let store = InMemoryJobStore(clock: clock)
        let mail = ScriptedAction(held: true)
        store.add([job()])
        let executor = DeliveryExecutor(store: store, settings: { snapshot([mail]) }, clock: clock, logger: .discarding)
        let task = Task { await executor.run() }
        try await eventually { mail.calls.count == 1 }
        executor.stop(deadline: .now + .seconds(30))
        let late = job()
        store.add([late])
        mail.release()
        await task.value
        #expect(store.finished.map(\.result) == [.recorded])
        #expect(store.entry(late.id)?.state == .queued)
    }

    /// A store whose claims are round trips gets more claims than free slots; those start as
    /// slots free, and a stop gives back the ones never started, not as maybe-sent.
    @Test func claimsAheadStartAsSlotsFreeAndGoBackAtAStop() async throws {
        let store = InMemoryJobStore(clock: clock, claimAhead: 2)
        let mail = ScriptedAction(held: true)
        let jobs = (0..<6).map { _ in job() }
        store.add(jobs)
        let executor = DeliveryExecutor(
            store: store, settings: { snapshot([mail], limits: DeliveryLimits(global: 2)) }, clock: clock,
            logger: .discarding)
        let task = Task { await executor.run() }
        try await eventually { mail.calls.count == 2 }
        // Two attempts run; two more jobs are claimed and wait for a slot.
        #expect(jobs.filter { store.entry($0.id)?.state == .running }.count == 4)
        #expect(executor.running == 2 && mail.mostRunning == 2)
        executor.stop(deadline: .now + .seconds(30))
        try await eventually { store.released.count == 2 }
        mail.release()
        await task.value
        #expect(mail.calls.count == 2)
        #expect(store.finished.count == 2)
        let released = store.released
        #expect(released.allSatisfy { store.entry($0)?.state == .queued && store.entry($0)?.mayHaveSent == false })
    }

    /// A claim ahead is a round trip: the claims waiting are refilled before they run out, and
    /// while the refill is under way freed slots start the claims still waiting.
    @Test func claimsWaitingStartWhileTheNextClaimIsUnderWay() async throws {
        let store = InMemoryJobStore(clock: clock, claimAhead: 4)
        let mail = ScriptedAction(held: true)
        let jobs = (0..<10).map { _ in job() }
        store.add(jobs)
        store.holdClaims(after: 1)
        try await running(store, snapshot([mail], limits: DeliveryLimits(global: 1))) { _ in
            // The first claim took five: one runs, four wait.
            try await eventually { mail.calls.count == 1 }
            mail.releaseOne()
            try await eventually { mail.calls.count == 2 }
            // Two wait now: the refill is asked for (and held, a slow round trip).
            mail.releaseOne()
            try await eventually { mail.calls.count == 3 && store.heldClaims == 1 }
            mail.releaseOne()
            try await eventually { mail.calls.count == 4 }
            mail.releaseOne()
            try await eventually { mail.calls.count == 5 }
            #expect(store.heldClaims == 1)
            store.openClaims()
            mail.release()
            await store.waitForFinished(10)
        }
        #expect(mail.calls.map(\.id) == jobs.map(\.id))
    }

    /// A claim that comes in after a stop (here after its deadline, too) goes back to the store.
    @Test func aClaimInAfterTheStopGoesBack() async throws {
        let store = InMemoryJobStore(clock: clock, claimAhead: 4)
        let mail = ScriptedAction()
        let jobs = (0..<3).map { _ in job() }
        store.add(jobs)
        store.holdClaims(after: 0)
        let executor = DeliveryExecutor(
            store: store, settings: { snapshot([mail], limits: DeliveryLimits(global: 1)) }, clock: clock,
            logger: .discarding)
        let task = Task { await executor.run() }
        try await eventually { store.heldClaims == 1 }
        executor.stop(deadline: .now)
        // The stop waits for the claim under way; then it gives back what it took.
        try await Task.sleep(for: .milliseconds(20))  // for the deadline to pass: either way it goes back
        store.openClaims()
        await task.value
        #expect(mail.calls.isEmpty)
        #expect(Set(store.released) == Set(jobs.map(\.id)))
        #expect(jobs.allSatisfy { store.entry($0.id)?.state == .queued })
    }

    /// Waits for `condition` (polling; never a timed assertion).
    private func eventually(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<2000 where !condition() {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(condition())
    }
}
