import HeraldCore

extension JobSummary {
    /// The summary the spool's index keeps for `job`, so that a scheduler fed with new jobs and
    /// one fed from `liveJobs` after a restart see the same ordering groups.
    package init(_ job: Job) {
        self.init(
            id: job.id, action: job.action,
            orderingGroup: job.orderingKey.map { Digest.orderingGroup(action: job.action, key: $0) },
            createdAt: job.createdAt, notBefore: job.notBefore, attempts: job.attempts)
    }
}
