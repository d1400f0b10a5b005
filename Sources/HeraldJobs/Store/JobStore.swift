import HeraldCore

/// A durable home for jobs and the one owner of their lives (design §7, §11): the local spool
/// (`Spool`) or PostgreSQL shared by several instances (`PostgresStore`). The ingress adds jobs
/// (`JobIntake`); one `DeliveryExecutor` claims, performs and finishes them, whichever the store;
/// operators list, show, retry and drop them (`JobControl`). Everything that reads or changes
/// jobs goes through this protocol, so that both stores behave the same.
///
/// A job moves only as `JobState` allows: `claim` takes queued jobs (queued → running); `finish`
/// records an attempt's verdict (running → done, queued or dead) only while the claim holds;
/// an operator's `retryJob` and `dropJob` change queued jobs and dead letters.
///
/// **Implementation requirements**
/// - Never block the caller's thread on I/O in the `async` methods: do it on a thread or queue of
///   the store's own. The operator methods block; callers run them off Swift's shared threads.
/// - `claim` returns only jobs that are due, in the order first attempts of one ordering group
///   (action and recipient) were planned, and at most what the request allows; a job waiting
///   for a retry never holds back the later jobs of its group.
/// - `finish` refuses (returns `.dropped` or `.superseded`, changing nothing) when the job is no
///   longer under this claim. A claim the store made must never be forgotten while the attempt
///   may reach the peer: if it can be lost (a crash), the job counts as maybe-sent afterwards.
/// - Bounded: every buffer, batch and retry; errors carry no secret.
///
/// **Growing it.** What touches jobs next goes through here, once for both stores: a new way to
/// find jobs (a person's, for `herald forget|export`) is a `JobFilter` criterion each store
/// applies (`matches` on the spool, a `WHERE` in PostgreSQL) and `page`/`dropJob` serve it; a new
/// per-job field (a trace context) is a `Job` property both stores persist (the spool's "job
/// added" record, a PostgreSQL column by migration) and the executor hands to the plugin and
/// the `DeliveryObserver`; the behaviour suite (`JobStoreTests`) then holds each store to it.
package protocol JobStore: JobIntake {
    // MARK: Delivery

    /// The store's time: what its due times, series starts and `max_age` count in (a shared
    /// store's is the database's, never a host's). The executor decides verdicts by it.
    var now: WallClock { get }

    /// Called once by the executor before it claims: the store rings `doorbell` whenever new
    /// work may be due (jobs added here, or by another instance; an operator's retry).
    func deliverWakeUps(to doorbell: Doorbell)

    /// Claims due jobs within `request`: queued → running.
    func claim(_ request: ClaimRequest) async throws(JobStoreError) -> [JobClaim]

    /// How many jobs beyond its free slots the executor should claim at once: worth it where a
    /// claim is a round trip (PostgreSQL), so that the next attempts start without one; 0 where
    /// claims cost nothing (the spool).
    var claimAhead: Int { get }

    /// Gives back claims whose attempts never started (the executor stopped with them waiting):
    /// running → queued, as if they had not been claimed (not maybe-sent).
    func release(_ claims: [JobClaim]) async

    /// The claimed job with its payload (`claim.job` when the store read it with the claim).
    /// - Throws: `.unreadable` when its record cannot be read back (the executor then makes
    ///   it a dead letter, saying why).
    func load(_ claim: JobClaim) async throws(JobStoreError) -> Job

    /// Records an attempt's verdict, fenced by the claim. Waits until the store took it in (not
    /// necessarily until it is durable: a verdict lost in a crash means one more attempt, which
    /// counts as maybe-sent).
    /// - Parameter attempts: the attempts of the series so far, this one included (the claim's
    ///   count when no attempt could be made).
    /// - Throws: `.unavailable` when it cannot be recorded (the claim runs out, and the job is
    ///   attempted again).
    func finish(_ claim: JobClaim, _ verdict: AttemptVerdict, attempts: Int) async throws(JobStoreError)
        -> FinishResult

    /// How long the executor may wait for a ring before it looks again: until the next queued
    /// job is due when `claimable` (the executor has free slots and its last claim took all
    /// there was), and never longer than the store's own upkeep allows (a shared store's poll
    /// interval). nil: until a ring.
    func nextWakeUp(claimable: Bool) async -> Duration?

    /// Upkeep while the executor runs, called on each of its rounds; the store decides what is
    /// due (PostgreSQL: renew the leases of running attempts, forget expired dedupe keys, read
    /// the depth for metrics).
    func maintain() async

    /// Jobs waiting or running and the oldest one's age, for metrics; read without I/O.
    var depth: StoreDepth? { get }

    // MARK: Operators (herald queue|dead; blocking)

    /// Queued (and running) jobs, or dead letters, oldest first: at most `limit` (0: all) of
    /// those `filter` matches, and how many match.
    func page(_ section: JobSection, filter: JobFilter, limit: Int) throws(JobStoreError) -> JobPage

    /// One job in any state, with its payload; nil when the store does not have it.
    func stored(_ id: TimeOrderedID) throws(JobStoreError) -> StoredJob?

    /// An operator's retry: a queued job is due now; a dead letter goes back to the queue as a
    /// new series of attempts (`max_age` counts from now). Returns when it is due (the store's
    /// now), once the change is durable.
    /// - Throws: `.running` while an attempt is under way; `.notFound`.
    func retryJob(_ id: TimeOrderedID) throws(JobStoreError) -> WallClock

    /// An operator's drop: the job is gone for good; a running attempt finishes, unrecorded.
    /// Returns the state it was in, once the change is durable.
    /// - Throws: `.notFound`.
    func dropJob(_ id: TimeOrderedID) throws(JobStoreError) -> JobState

    /// Whether a `herald serve` performs this store's jobs now; if not, an operator's change
    /// waits for one to start.
    func isServed() throws(JobStoreError) -> Bool

    /// Makes the store's own files hold nothing more of jobs that are gone (`herald forget`, after
    /// `dropJob`): the spool rewrites its segments so that only live jobs' records remain;
    /// a store that deletes rows at once (PostgreSQL) has nothing to do. Returns once durable.
    func scrub() throws(JobStoreError)
}

/// What `JobStore.finish` came to.
package enum FinishResult: Sendable, Equatable {
    /// The verdict is the job's new state.
    case recorded
    /// The job is gone (an operator dropped it while it ran): nothing recorded.
    case dropped
    /// Another claim holds the job now (the lease ran out and another instance took it over):
    /// nothing recorded.
    case superseded
}

/// The backlog, for metrics.
package struct StoreDepth: Sendable, Equatable {
    /// Jobs queued or running.
    package var jobs: Int
    /// How long ago the oldest of them was created.
    package var oldestAge: Duration?

    package init(jobs: Int, oldestAge: Duration?) {
        self.jobs = jobs
        self.oldestAge = oldestAge
    }
}
