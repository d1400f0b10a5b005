import HeraldCore
import HeraldJobs

/// The executor's attempts and verdicts, counted.
extension HeraldMetrics: DeliveryObserver {
    package func attemptEnded(action: String, outcome: Outcome, latency: Duration) {
        jobFinished(action: action, outcome: outcome, latency: latency)
    }

    package func verdictRecorded(action: String, _ verdict: AttemptVerdict) {
        switch verdict {
        case .delivered: break
        case .retry: jobRetried(action: action)
        case .dead: jobDeadLettered(action: action)
        }
    }

    /// Reads a job store's depth when scraped.
    package func observe(_ store: some JobStore) {
        observeSpool { store.depth.map { SpoolReading(depth: $0.jobs, oldestJobAge: $0.oldestAge) } }
    }
}
