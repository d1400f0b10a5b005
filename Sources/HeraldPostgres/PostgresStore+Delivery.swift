import HeraldCore
import HeraldJobs

/// Claims (on their own connection, committed synchronously), verdicts and upkeep (on the
/// delivery connection, committed asynchronously) of `PostgresStore`.
extension PostgresStore: JobStore {
    /// How often expired dedupe keys are pruned and the depth is read for metrics.
    static let housekeepingInterval: Duration = .seconds(5)

    /// The database's time, as this host estimates it from the last claim (the offset between
    /// the two clocks): due times, series starts and `max_age` count in it.
    package var now: WallClock { WallClock.now.adding(clockOffset.withLock { $0 }) }

    package func deliverWakeUps(to doorbell: Doorbell) {
        watch.deliverWakeUps(to: doorbell)
    }

    /// How long claims may start where the last one saw the live jobs begin before one scans
    /// from the start again: a job stored meanwhile before that place (its host's clock more than
    /// `dueFloorMargin` behind the database's) waits this long at most.
    package static let defaultFullClaimInterval: Duration = .seconds(1)

    /// Claims in one transaction on the claims' connection, committed synchronously: first for
    /// the actions limited only by the executor's slots, then for each action with a limit of its
    /// own, up to what it has left. While claims take all they ask for (a backlog), each starts
    /// where the last saw the live jobs begin, and one a second scans from the start.
    package func claim(_ request: ClaimRequest) async throws(JobStoreError) -> [JobClaim] {
        let rounds =
            [(limit: request.count, actions: request.unlimitedActions)]
            + request.perAction.sorted { $0.key < $1.key }.map { (limit: $0.value, actions: [$0.key]) }
        let owner = self.owner
        let lease = settings.lease
        let started = ContinuousClock.now
        let (from, findHead) = upkeep.withLock { upkeep in
            let recent = upkeep.lastFullClaim.map { started - $0 < fullClaimInterval } == true
            return (recent ? upkeep.claimFrom : nil, upkeep.lastClaimTookAll)
        }
        let result = await claims.run { table throws(PostgresError) in
            // The host's time as the statement leaves: the database's now() is read as it starts.
            let sent = WallClock.now
            return (
                try table.claim(
                    total: request.count, rounds: rounds, owner: owner, lease: lease, from: from, findHead: findHead),
                sent
            )
        }
        switch result {
        case .success(let ((claims, head), sent)):
            if let first = claims.first { clockOffset.withLock { $0 = first.claimedAt - sent } }
            upkeep.withLock { upkeep in
                if upkeep.claims == 0 { upkeep.lastRenewal = .now }
                upkeep.claims += claims.count
                upkeep.lastClaimEmpty = claims.isEmpty
                if from == nil { upkeep.lastFullClaim = started }
                // A claim that took less than it asked for may have passed jobs it could not take
                // yet: the next one scans from the start.
                upkeep.lastClaimTookAll = claims.count == request.count
                upkeep.claimFrom = upkeep.lastClaimTookAll ? head : nil
            }
            return claims.map { claim in
                JobClaim(
                    id: claim.job.id, action: claim.job.action, attempts: claim.job.attempts,
                    seriesStart: claim.seriesStart, previousAttemptMayHaveSent: claim.mayHaveSent,
                    fence: claim.token, job: claim.job)
            }
        case .failure(let error):
            throw JobStoreError(error, redact: settings.redacted)
        }
    }

    /// A claim is a round trip with a WAL flush and costs the database much the same for 8 rows
    /// as for 64: take this many more than the free slots (four times the instance's
    /// concurrency at most; refilled beside the executor's loop once half have started), so that attempts never wait for a claim and each claim carries
    /// many jobs. 8 gave 0.47–0.58 × the local store on one machine; 64, 0.86–0.97 × with the
    /// database on a core of its own (docs/benchmarks.md).
    package var claimAhead: Int { 64 }

    package func release(_ claims: [JobClaim]) async {
        guard !claims.isEmpty else { return }
        defer { upkeep.withLock { $0.claims = max(0, $0.claims - claims.count) } }
        let items = claims.map { (id: $0.id, token: $0.fence) }
        _ = await delivery.run { table throws(PostgresError) in try table.release(items) }
    }

    /// The claim carries its job.
    package func load(_ claim: JobClaim) async throws(JobStoreError) -> Job {
        guard let job = claim.job else { throw JobStoreError(.unreadable, "the claim came without its job") }
        return job
    }

    /// Waits for the verdict's commit, shared with the others waiting then. While the database
    /// is away it tries again a few times (the lease keeps the job this instance's meanwhile).
    package func finish(_ claim: JobClaim, _ verdict: AttemptVerdict, attempts: Int) async throws(JobStoreError)
        -> FinishResult
    {
        defer { upkeep.withLock { $0.claims = max(0, $0.claims - 1) } }
        let item = PostgresJobTable.Verdict(id: claim.id, token: claim.fence, verdict: verdict, attempts: attempts)
        let result = await withCheckedContinuation { continuation in
            if verdicts.add(VerdictBatch.Waiting(verdict: item, continuation: continuation)) {
                // One flusher at a time (VerdictBatch's flag); it ends when nothing waits.
                Task { await self.flushVerdicts() }
            }
        }
        switch result {
        case .success(let finished): return finished
        case .failure(let error): throw JobStoreError(error, redact: settings.redacted)
        }
    }

    private func flushVerdicts() async {
        while let batch = verdicts.next() {
            let items = batch.map(\.verdict)
            var result: Result<[FinishResult], PostgresError> = .success([])
            for tryNumber in 1...5 {
                result = await delivery.run { table throws(PostgresError) in try table.record(items) }
                guard case .failure(let error) = result, error.isTransient, tryNumber < 5 else { break }
                try? await Task.sleep(for: min(settings.lease / 5, .seconds(2)))
            }
            switch result {
            case .success(let results):
                for (waiting, finished) in zip(batch, results) {
                    waiting.continuation.resume(returning: .success(finished))
                }
            case .failure(let error):
                for waiting in batch { waiting.continuation.resume(returning: .failure(error)) }
            }
        }
    }

    /// The poll interval at most (notifications can be missed, leases need renewing); sooner
    /// when the last claim found nothing and a job is due before then. A job due but not
    /// claimable (its action is full, or it waits for an earlier job of its recipient) reads as
    /// due now: then the poll interval it is.
    package func nextWakeUp(claimable: Bool) async -> Duration? {
        let poll = settings.pollInterval
        guard claimable, upkeep.withLock({ $0.lastClaimEmpty }) else { return poll }
        guard case .success(let next?) = await delivery.run({ table throws(PostgresError) in try table.nextWake() }),
            next > .zero
        else { return poll }
        return min(poll, max(next, .milliseconds(5)))
    }

    /// Renews the leases of the attempts under way every third of the lease; prunes expired
    /// dedupe keys and reads the depth every few seconds.
    package func maintain() async {
        let now = ContinuousClock.now
        let (renew, housekeep) = upkeep.withLock { upkeep -> (Bool, Bool) in
            let renew = upkeep.claims > 0 && now - upkeep.lastRenewal >= settings.lease / 3
            if renew { upkeep.lastRenewal = now }
            let housekeep = upkeep.lastHousekeeping.map { now - $0 >= Self.housekeepingInterval } ?? true
            if housekeep { upkeep.lastHousekeeping = now }
            return (renew, housekeep)
        }
        if renew {
            let owner = self.owner
            let lease = settings.lease
            _ = await delivery.run { table throws(PostgresError) in try table.renew(owner: owner, lease: lease) }
        }
        if housekeep {
            let result = await delivery.run { table throws(PostgresError) -> (Int, Duration?) in
                try table.prune()
                return try table.statistics()
            }
            if case .success(let (jobs, oldest)) = result {
                upkeep.withLock { $0.depth = StoreDepth(jobs: jobs, oldestAge: oldest) }
            }
        }
    }

    /// As last read (never a query on a metrics scrape).
    package var depth: StoreDepth? { upkeep.withLock { $0.depth } }
}
