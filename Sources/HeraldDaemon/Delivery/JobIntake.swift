import HeraldCore
import HeraldSpool

/// Where the ingress hands the jobs of an accepted event: the durable spool, through the scheduler.
///
/// `accept` calls `completion` exactly once, when every job (and every dedupe key) is on disk, or
/// when they cannot be; only then does the ingress answer Ory.
package protocol JobIntake: Sendable {
    /// Stores several events' jobs and keys in one commit (a Mandrill batch); one receipt per
    /// event, in order. All or nothing.
    func accept(
        _ events: [IntakeEvent], completion: @escaping @Sendable (Result<[IntakeReceipt], IntakeError>) -> Void)
    /// False when new jobs cannot be taken (disk full, shutting down): `/readyz` answers 503.
    var isReady: Bool { get }
    /// True when `key` was stored with an earlier event and its window has not ended.
    func seen(_ key: String, now: WallClock) -> Bool
    /// Why `isReady` is false, for `/readyz` (no secrets).
    var notReadyReason: String { get }
}

extension JobIntake {
    package var notReadyReason: String { "jobs cannot be stored" }

    /// Stores one event's jobs and keys.
    func accept(
        _ jobs: [Job], dedupeKeys: [DedupeKey],
        completion: @escaping @Sendable (Result<IntakeReceipt, IntakeError>) -> Void
    ) {
        accept([IntakeEvent(jobs: jobs, dedupeKeys: dedupeKeys)]) { result in
            completion(result.map { $0.first ?? IntakeReceipt() })
        }
    }
}

/// One event's jobs and the dedupe keys stored with them.
package struct IntakeEvent: Sendable {
    package var jobs: [Job]
    package var dedupeKeys: [DedupeKey]

    package init(jobs: [Job], dedupeKeys: [DedupeKey]) {
        self.jobs = jobs
        self.dedupeKeys = dedupeKeys
    }
}

/// What storing an event came to, when it could be stored.
package struct IntakeReceipt: Sendable, Equatable {
    /// The event's own key was already taken, by this or another instance (a shared store
    /// decides this in the same transaction): nothing was stored.
    package var duplicate = false
    /// Routes whose `dedupe:` key another instance took first: their jobs were not stored.
    package var suppressedRoutes: Set<String> = []

    package init(duplicate: Bool = false, suppressedRoutes: Set<String> = []) {
        self.duplicate = duplicate
        self.suppressedRoutes = suppressedRoutes
    }
}

/// Why jobs could not be taken; the ingress answers 503 so that Kratos retries.
public struct IntakeError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
