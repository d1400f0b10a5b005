import HeraldCore
import HeraldJobs
import HeraldTestSupport
import Testing

/// One behaviour suite for every `JobStore` (issue 18): what the executor and the operators rely
/// on holds the same on the local spool, on PostgreSQL and in memory.
@Suite struct JobStoreBehaviourTests {
    private let ids = TimeOrderedIDGenerator()

    private func job(
        _ store: any JobStore, action: String = "mail", key: String? = nil, route: String = "welcome",
        dueIn delay: Duration = .zero
    ) -> Job {
        let now = store.now
        return Job(
            id: ids.next(), eventID: ids.next(), eventName: EventName("registration.after")!, route: route,
            action: action, payload: ["to": .string(key ?? "x@example.com")], orderingKey: key, createdAt: now,
            notBefore: now.adding(delay))
    }

    private func finish(_ store: any JobStore, _ claim: JobClaim, _ verdict: AttemptVerdict) async throws
        -> FinishResult
    {
        try await store.finish(claim, verdict, attempts: claim.attempts + 1)
    }

    @Test(arguments: StoreUnderTest.all)
    func onlyDueJobsAreClaimedAndTheNextWakeUpSaysWhen(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let due = job(store)
            let later = job(store, dueIn: .seconds(3600))
            try await store.add([due, later])
            let claims = try await store.claim()
            #expect(claims.map(\.id) == [due.id])
            #expect(claims.first?.attempts == 0 && claims.first?.previousAttemptMayHaveSent == false)
            #expect(try await store.claim().isEmpty)
            let wake = try #require(await store.nextWakeUp(claimable: true))
            #expect(wake <= .seconds(3600))
            let loaded = try await store.load(try #require(claims.first))
            #expect(loaded.id == due.id && loaded.payload == due.payload && loaded.route == "welcome")
        }
    }

    /// A job's trace (trace id, ingress span, flags, tracestate) comes back with the job, from
    /// a claim and from an operator's look alike; a job without one comes back without.
    @Test(arguments: StoreUnderTest.all)
    func aJobsTraceComesBackWithIt(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            var traced = job(store)
            traced.trace = TraceContext(
                traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", tracestate: ["rojo=1,congo=2"])
            #expect(traced.trace != nil)
            let plain = job(store)
            try await store.add([traced, plain])
            let claims = try await store.claim()
            #expect(claims.count == 2)
            for claim in claims {
                let loaded = try await store.load(claim)
                #expect(loaded.trace == (claim.id == traced.id ? traced.trace : nil))
            }
            #expect(try store.stored(traced.id)?.job?.trace == traced.trace)
            #expect(try store.stored(traced.id)?.job?.trace?.state == "rojo=1,congo=2")
            #expect(try store.stored(plain.id)?.job?.trace == nil)
        }
    }

    /// The first attempts of one action's jobs to one recipient run in the order they were
    /// planned; a job that retries leaves the line, and the next one goes ahead.
    @Test(arguments: StoreUnderTest.all)
    func firstAttemptsRunInOrderWithoutHeadOfLineBlocking(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let first = job(store, key: "ada@example.com")
            let second = job(store, key: "ada@example.com")
            let other = job(store, key: "bob@example.com")
            try await store.add([first, second, other])
            let claims = try await store.claim()
            #expect(Set(claims.map(\.id)) == [first.id, other.id])
            let head = try #require(claims.first { $0.id == first.id })
            let retry = AttemptVerdict.retry(at: store.now.adding(.seconds(3600)), reason: "503", mayHaveSent: false)
            #expect(try await finish(store, head, retry) == .recorded)
            #expect(try await store.claim().map(\.id) == [second.id])
        }
    }

    /// A claim given back before its attempt started is queued again as if never claimed: due,
    /// not maybe-sent, still first in its recipient's line.
    @Test(arguments: StoreUnderTest.all)
    func aReleasedClaimIsQueuedAgainAsIfNeverClaimed(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let first = job(store, key: "ada@example.com")
            let second = job(store, key: "ada@example.com")
            try await store.add([first, second])
            let claims = try await store.claim()
            #expect(claims.map(\.id) == [first.id])
            await store.release(claims)
            #expect(try store.stored(first.id)?.state == .queued)
            let again = try await store.claim()
            #expect(again.map(\.id) == [first.id])
            #expect(again.first?.attempts == 0 && again.first?.previousAttemptMayHaveSent == false)
        }
    }

    @Test(arguments: StoreUnderTest.all)
    func verdictsChangeTheJobAsTheyMean(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let delivered = job(store)
            let retried = job(store)
            let dead = job(store)
            try await store.add([delivered, retried, dead])
            let claims = Dictionary(uniqueKeysWithValues: try await store.claim().map { ($0.id, $0) })
            #expect(claims.count == 3)
            let now = store.now
            #expect(try await finish(store, try #require(claims[delivered.id]), .delivered(detail: "ok")) == .recorded)
            #expect(
                try await finish(
                    store, try #require(claims[retried.id]), .retry(at: now, reason: "timed out", mayHaveSent: true))
                    == .recorded)
            #expect(
                try await finish(store, try #require(claims[dead.id]), .dead(.failed("rejected: hard-bounce")))
                    == .recorded)
            #expect(try store.stored(delivered.id) == nil)
            let queued = try #require(try store.stored(retried.id))
            #expect(queued.state == .queued && queued.attempts == 1)
            let letter = try #require(try store.stored(dead.id))
            #expect(letter.state == .dead && letter.death?.reason == "rejected: hard-bounce")
            #expect(letter.death?.lastAnswer == "rejected: hard-bounce")
            // The retried job comes back as maybe-sent, counting its attempt.
            let again = try #require(try await store.claim().first)
            #expect(again.id == retried.id && again.attempts == 1 && again.previousAttemptMayHaveSent)
            let deadPage = try store.page(.dead, filter: JobFilter(), limit: 0)
            #expect(deadPage.total == 1 && deadPage.items.map(\.id) == [dead.id])
        }
    }

    /// A verdict is recorded only while its claim holds: not for a job an operator dropped.
    @Test(arguments: StoreUnderTest.all)
    func aVerdictForADroppedJobIsRefused(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let dropped = job(store)
            try await store.add([dropped])
            let claim = try #require(try await store.claim().first)
            #expect(try store.dropJob(dropped.id) == .running)
            #expect(try await finish(store, claim, .delivered(detail: "late")) == .dropped)
            #expect(try store.stored(dropped.id) == nil)
            #expect(try store.page(.queue, filter: JobFilter(), limit: 0).total == 0)
        }
    }

    /// An operator's retry: a dead letter goes back to the queue as a new series and is claimed
    /// at once; a running job cannot be retried; an unknown one is not found.
    @Test(arguments: StoreUnderTest.all)
    func operatorsRetryAndDrop(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let letter = job(store)
            let running = job(store, action: "hook")
            try await store.add([letter, running])
            let claims = Dictionary(uniqueKeysWithValues: try await store.claim().map { ($0.id, $0) })
            _ = try await finish(store, try #require(claims[letter.id]), .dead(.failed("bad key")))
            let due = try store.retryJob(letter.id)
            #expect(due <= store.now.adding(.seconds(1)))
            #expect(try store.stored(letter.id)?.state == .queued)
            let revived = try #require(try await store.claim().first)
            #expect(revived.id == letter.id)
            #expect(revived.seriesStart.map { $0 >= due.adding(.seconds(-1)) } ?? false)
            do throws(JobStoreError) {
                _ = try store.retryJob(running.id)
                Issue.record("retried a running job")
            } catch {
                #expect(error.kind == .running)
            }
            do throws(JobStoreError) {
                _ = try store.dropJob(ids.next())
                Issue.record("dropped a job that does not exist")
            } catch {
                #expect(error.kind == .notFound)
            }
        }
    }

    @Test(arguments: StoreUnderTest.all)
    func listingsFilterAndCount(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let jobs = [
                job(store, route: "welcome"), job(store, action: "hook", route: "audit"),
                job(store, route: "welcome", dueIn: .seconds(60)),
            ]
            try await store.add(jobs)
            let all = try store.page(.queue, filter: JobFilter(), limit: 2)
            #expect(all.total == 3 && all.items.count == 2)
            #expect(all.items.map(\.id) == Array(jobs.prefix(2).map(\.id)))
            #expect(try store.page(.queue, filter: JobFilter(route: "welcome"), limit: 0).total == 2)
            #expect(try store.page(.queue, filter: JobFilter(action: "hook"), limit: 0).items.map(\.id) == [jobs[1].id])
            #expect(try store.page(.dead, filter: JobFilter(), limit: 0).total == 0)
            let shown = try #require(try store.stored(jobs[2].id))
            #expect(shown.job?.payload == jobs[2].payload && shown.state == .queued && shown.death == nil)
        }
    }

    /// The one executor over each store: jobs are delivered, a retry comes back and is
    /// delivered, a failure becomes a dead letter.
    @Test(arguments: StoreUnderTest.all)
    func theExecutorDeliversOnEveryStore(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            try await deliver(store)
        }
    }

    private func deliver<Store: JobStore>(_ store: Store) async throws {
        let recorder = JobRecorder(outcomes: [
            .retry(after: nil, reason: "busy", ambiguous: false), .failed(reason: "rejected"),
        ])
        let action = RecordingAction(name: "mail", recorder: recorder)
        let snapshot = DeliverySnapshot(
            actions: ["mail": action], limits: DeliveryLimits(global: 1),
            retry: RetryPolicy(schedule: [.milliseconds(1)], jitter: 0, maxAge: .seconds(3600)))
        let executor = DeliveryExecutor(store: store, settings: { snapshot }, logger: .discarding)
        let jobs = (0..<3).map { _ in job(store) }
        try await store.add(jobs)
        let running = Task { await executor.run() }
        for _ in 0..<1000 where try store.page(.queue, filter: JobFilter(), limit: 0).total > 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        executor.stop(deadline: .now + .seconds(5))
        await running.value
        #expect(recorder.attempts.count == 4)
        #expect(try store.page(.queue, filter: JobFilter(), limit: 0).total == 0)
        let letters = try store.page(.dead, filter: JobFilter(), limit: 0).items
        #expect(letters.count == 1 && letters.first?.death?.reason == "rejected")
    }
}
