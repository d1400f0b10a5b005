import HeraldCore

/// Where the ingress hands the jobs of an accepted event: a job store.
///
/// `accept` calls `completion` exactly once, when every job (and every dedupe key) is durable, or
/// when they cannot be; only then does the ingress answer Ory. It never blocks the caller (the
/// HTTP event loop): the store does its writing on a thread of its own.
package protocol JobIntake: Sendable {
    /// Stores several events' jobs and keys in one commit (a Mandrill batch); one receipt per
    /// event, in order. All or nothing.
    func accept(
        _ events: [IntakeEvent], completion: @escaping @Sendable (Result<[IntakeReceipt], JobStoreError>) -> Void)
    /// False when new jobs cannot be taken (disk full, database away, shutting down): `/readyz`
    /// answers 503.
    var isReady: Bool { get }
    /// True when `key` was stored with an earlier event and its window has not ended. A shared
    /// store answers false and decides in the transaction that stores the jobs instead
    /// (`IntakeReceipt.duplicate`).
    func seen(_ key: String, now: WallClock) -> Bool
    /// Why `isReady` is false, for `/readyz`: generic words, no secrets (the log has the cause).
    var notReadyReason: String { get }
}

extension JobIntake {
    /// Stores one event's jobs and keys.
    package func accept(
        _ jobs: [Job], dedupeKeys: [DedupeKey],
        completion: @escaping @Sendable (Result<IntakeReceipt, JobStoreError>) -> Void
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

    /// True when there is nothing to store.
    package var isEmpty: Bool { jobs.isEmpty && dedupeKeys.isEmpty }
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

/// A dedupe key to record with jobs, and until when repeats count as duplicates.
package struct DedupeKey: Sendable, Hashable {
    package var key: String
    package var expiresAt: WallClock
    /// The route whose `dedupe:` key it is; nil for the event's own key (Kratos' retries).
    package var route: String?

    package init(_ key: String, expiresAt: WallClock, route: String? = nil) {
        self.key = key
        self.expiresAt = expiresAt
        self.route = route
    }
}
