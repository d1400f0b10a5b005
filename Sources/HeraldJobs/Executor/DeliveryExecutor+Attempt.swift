import HeraldCore

/// One attempt: load, perform within the timeout, decide, record, report.
extension DeliveryExecutor {
    func attempt(_ claim: JobClaim, snapshot: DeliverySnapshot) async {
        // The slot is the peer's: it is given back as soon as the plugin is done (the verdict's
        // recording, a round trip to a shared store, does not hold the next attempt back).
        var holdsSlot = true
        func releaseSlot() {
            guard holdsSlot else { return }
            holdsSlot = false
            state.withLock { $0.slots.release(claim.action) }
            doorbell.ring()
        }
        defer {
            releaseSlot()
            state.withLock { $0.unfinished -= 1 }
            doorbell.ring()
        }
        let started = ContinuousClock.now
        let loaded: Job
        do throws(JobStoreError) {
            if let job = claim.job {
                loaded = job
            } else {
                loaded = try await store.load(claim)
            }
        } catch {
            // No attempt was made: the count stays.
            let verdict = AttemptVerdict.dead(.unreadable(error.message))
            log(
                .error, "job cannot be read from the store; moved to dead letters",
                [("job", .string(claim.id.description)), ("reason", .string(error.message))])
            if case .recorded? = try? await store.finish(claim, verdict, attempts: claim.attempts) {
                observer?.verdictRecorded(action: claim.action, verdict)
            }
            return
        }
        var job = loaded
        job.attempts = claim.attempts + 1
        // The attempt's own span, a child of the ingress span the job names (a job stored before
        // Herald kept traces gets a trace of its own).
        let trace = job.trace?.child() ?? TraceContext.start()
        let startedAt = FinishedSpan.nowNanoseconds
        let action = snapshot.actions[job.action]
        let outcome: Outcome
        if let action {
            let observer = self.observer
            let context = DeliveryContext(
                logger: logger.with(["job": .string(job.id.description), "trace_id": .string(trace.traceID.hex)]),
                clock: clock, deadline: started + snapshot.limits.attemptTimeout, attempt: job.attempts,
                previousAttemptMayHaveSent: claim.previousAttemptMayHaveSent, trace: trace,
                count: { [action = job.action] in observer?.pluginEvent(action: action, event: $0) })
            outcome = await OutboundTrace.$current.withValue(trace) {
                await Self.performWithin(
                    snapshot.limits.attemptTimeout, action: action, job: job, context: context, deadlines: deadlines)
            }
        } else {
            outcome = .failed(reason: "action '\(job.action)' is not in the configuration any more")
        }
        let latency = ContinuousClock.now - started
        releaseSlot()
        observer?.attemptEnded(action: job.action, outcome: outcome, latency: latency)
        let now = store.now
        let verdict = AttemptVerdict.decide(
            outcome, attempt: job.attempts, seriesStart: claim.seriesStart ?? job.dueAt, now: now,
            policy: snapshot.retry)
        if let spans, trace.isSampled {
            spans.record(
                Self.attemptSpan(
                    job, trace: trace, plugin: action?.kind, outcome: outcome, verdict: verdict, start: startedAt,
                    end: FinishedSpan.nowNanoseconds))
        }
        await record(
            verdict, of: claim, job: job, traceID: trace.traceID, outcome: outcome, latency: latency, now: now)
    }

    /// One attempt as a span: a client span, child of the ingress span, with the job's ids, the
    /// plugin and the outcome; never the payload, a recipient or the peer's answer.
    static func attemptSpan(
        _ job: Job, trace: TraceContext, plugin: String?, outcome: Outcome, verdict: AttemptVerdict, start: UInt64,
        end: UInt64
    ) -> FinishedSpan {
        let verdictLabel =
            switch verdict {
            case .delivered: "delivered"
            case .retry: "retry"
            case .dead: "dead"
            }
        let status: FinishedSpan.Status = if case .delivered = outcome { .ok } else { .error(outcome.label) }
        return FinishedSpan(
            trace: trace, parentSpanID: job.trace?.spanID, name: "attempt \(job.action)", kind: .client,
            startNanoseconds: start, endNanoseconds: max(start, end),
            attributes: [
                ("herald.job.id", .string(job.id.description)), ("herald.event.id", .string(job.eventID.description)),
                ("herald.event.name", .string(job.eventName.rawValue)), ("herald.route", .string(job.route)),
                ("herald.action", .string(job.action)), ("herald.plugin", .string(plugin ?? "unknown")),
                ("herald.attempt", .int(job.attempts)), ("herald.outcome", .string(outcome.label)),
                ("herald.verdict", .string(verdictLabel)),
            ], status: status)
    }

    /// Runs `perform`, cancelling it when it overruns `timeout` (a timeout is ambiguous: the
    /// request may have been sent). Plugins keep `context.deadline` themselves (the HTTP client's
    /// and SMTP's own timeouts, with a specific reason); this one, a quarter of a second later,
    /// catches a plugin that does not. The outcome waits for the plugin to end after its
    /// cancellation, as a task group would.
    package static func performWithin(
        _ timeout: Duration, action: any Action, job: Job, context: DeliveryContext, deadlines: AttemptDeadlines
    ) async -> Outcome {
        let deadline = ContinuousClock.now + timeout + .milliseconds(250)
        // When the plugin ended, read as it ends: this task may resume long after (a busy pool),
        // and the watch fire meanwhile at a task that had ended in time.
        let attempt = Task { (await action.perform(job, context: context), ContinuousClock.now) }
        let watch = deadlines.watch(until: deadline) { attempt.cancel() }
        let (outcome, ended) = await withTaskCancellationHandler {
            await attempt.value
        } onCancel: {
            attempt.cancel()
        }
        // An outcome that came before the deadline stands, as when it won a task group's race.
        guard deadlines.end(watch), ended >= deadline else { return outcome }
        return .retry(after: nil, reason: "attempt timed out after \(timeout.compactDescription)", ambiguous: true)
    }

    /// Records the verdict and reports it: one log line per attempt, with the same keys
    /// whichever the store (`job`, `trace_id`, `event`, `event_id`, `route`, `action`, `attempt`, `outcome`,
    /// `latency_ms`, then `detail`, or `reason` and `retry_in_ms`).
    private func record(
        _ verdict: AttemptVerdict, of claim: JobClaim, job: Job, traceID: TraceID, outcome: Outcome,
        latency: Duration, now: WallClock
    ) async {
        let base: [(String, LogValue)] = [
            ("job", .string(job.id.description)), ("trace_id", .string(traceID.hex)),
            ("event", .string(job.eventName.rawValue)),
            ("event_id", .string(job.eventID.description)), ("route", .string(job.route)),
            ("action", .string(job.action)), ("attempt", .int(job.attempts)), ("outcome", .string(outcome.label)),
            ("latency_ms", .milliseconds(latency)),
        ]
        let result: FinishResult
        do throws(JobStoreError) {
            result = try await store.finish(claim, verdict, attempts: job.attempts)
        } catch {
            noteProblem(error)
            log(
                .error, "outcome not recorded; the job is attempted again once its claim ends",
                base + [("reason", .string(error.message))])
            return
        }
        switch result {
        case .recorded:
            break
        case .dropped:
            log(.info, "job was dropped by an operator during its attempt; outcome not recorded", base)
            return
        case .superseded:
            log(.warning, "outcome not recorded: the job's lease passed to another instance", base)
            return
        }
        observer?.verdictRecorded(action: job.action, verdict)
        switch verdict {
        case .delivered(let detail):
            log(.info, "job delivered", base + [("detail", .string(detail))])
        case .retry(let at, let reason, _):
            log(
                .warning, "job will be retried",
                base + [("reason", .string(reason)), ("retry_in_ms", .milliseconds(at - now))])
        case .dead(let death):
            let message =
                if case .expired = death {
                    "job expired; moved to dead letters"
                } else {
                    "job failed permanently; moved to dead letters"
                }
            log(.error, message, base + [("reason", .string(death.description))])
        }
    }
}
