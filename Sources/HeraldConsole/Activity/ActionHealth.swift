import HeraldCore
import HeraldJobs
import Synchronization

/// Each action's health for the overview: its last success, its last failure and why, and the
/// dead letters it made since start. A `DeliveryObserver` in front of the metrics: it records,
/// then passes every call on. Reasons are cleaned as for the log (secrets out, emails masked).
package final class ActionHealth: DeliveryObserver {
    package struct Entry: Sendable, Equatable {
        package var lastSuccess: WallClock?
        package var lastFailure: WallClock?
        package var lastFailureReason: String?
        package var attempts = 0
        package var deadLetters = 0
    }

    private let next: any DeliveryObserver
    private let redactor: Mutex<RemoteTextRedactor>
    private let entries = Mutex<[String: Entry]>([:])
    /// Actions are named in the configuration; this bounds the table if reloads rename them often.
    private static let maxActions = 500

    package init(passingTo next: any DeliveryObserver, secrets: [String]) {
        self.next = next
        redactor = Mutex(RemoteTextRedactor(secrets: secrets))
    }

    /// The secrets of a reloaded configuration.
    package func update(secrets: [String]) {
        redactor.withLock { $0 = RemoteTextRedactor(secrets: secrets) }
    }

    /// Every action seen so far.
    package var snapshot: [String: Entry] { entries.withLock { $0 } }

    package func attemptEnded(action: String, outcome: Outcome, latency: Duration) {
        let now = WallClock.now
        let reason: String?
        switch outcome {
        case .delivered: reason = nil
        case .retry(_, let text, _), .failed(let text): reason = redactor.withLock { $0.clean(text) }
        }
        update(action) { entry in
            entry.attempts += 1
            if let reason {
                entry.lastFailure = now
                entry.lastFailureReason = reason
            } else {
                entry.lastSuccess = now
            }
        }
        next.attemptEnded(action: action, outcome: outcome, latency: latency)
    }

    package func verdictRecorded(action: String, _ verdict: AttemptVerdict) {
        if case .dead = verdict { update(action) { $0.deadLetters += 1 } }
        next.verdictRecorded(action: action, verdict)
    }

    package func pluginEvent(action: String, event: String) {
        next.pluginEvent(action: action, event: event)
    }

    private func update(_ action: String, _ change: (inout Entry) -> Void) {
        entries.withLock { table in
            guard table[action] != nil || table.count < Self.maxActions else { return }
            change(&table[action, default: Entry()])
        }
    }
}
