import HeraldCore

extension JobWait {
    /// What the job waits for, in words (`herald queue list|show` and the console).
    package func explanation(for job: Job) -> String? {
        switch self {
        case .running: return "its attempt, under way now"
        case .dueTime: return job.attempts == 0 ? "its due time" : "its next attempt time"
        case .earlierJobs(let ahead):
            return
                "\(ahead) earlier job\(ahead == 1 ? "" : "s") of '\(job.action)' to the same recipient (first attempts run in order)"
        case .actionConcurrency: return "a free slot of action '\(job.action)' (its concurrency limit)"
        case .unknown: return nil
        }
    }
}
