import HeraldCore

/// `herald queue|dead list|show|retry|drop` on any `JobStore`, answered as JSON: the same
/// answers from the local spool and from PostgreSQL. Blocks on the store (disk reads, fsync, the
/// database): call it from a dedicated thread or queue, never from Swift's shared threads.
package struct JobControl<Store: JobStore>: QueueControl {
    let store: Store
    /// What actions keep about people (the outbox's files), as the configuration has it now.
    let keepers: @Sendable () -> [any PersonalDataKeeper]
    /// Where `forget` writes its audit line.
    let audit: Logger

    /// - Parameters:
    ///   - keepers: the configured actions that keep personal data of their own.
    ///   - audit: receives one line per `forget`, without personal data.
    package init(
        store: Store, keepers: @escaping @Sendable () -> [any PersonalDataKeeper] = { [] }, audit: Logger = .discarding
    ) {
        self.store = store
        self.keepers = keepers
        self.audit = audit
    }

    package func list(_ section: JobSection, limit: Int, filter: JobFilter) throws(JobStoreError) -> JSON {
        let page = try store.page(section, filter: filter, limit: limit)
        return [
            "total": .int(Int64(page.total)),
            section == .dead ? "dead_letters" : "jobs": .array(page.items.map { describe($0, payload: false) }),
        ]
    }

    package func retryDead(matching filter: JobFilter, dryRun: Bool) throws(JobStoreError) -> JSON {
        let matched = try store.page(.dead, filter: filter, limit: 0).items.filter { $0.job != nil }.map(\.id)
        var retried: [JSON] = []
        if !dryRun {
            for id in matched {
                do throws(JobStoreError) {
                    _ = try store.retryJob(id)
                    retried.append(.string(id.description))
                } catch  where error.kind == .notFound {
                    // Retried or dropped by someone else meanwhile.
                    continue
                }
            }
        }
        return [
            "matched": .int(Int64(matched.count)), "dry_run": .bool(dryRun),
            "ids": .array(matched.map { .string($0.description) }), "retried": .array(retried),
        ]
    }

    package func show(_ section: JobSection, _ id: TimeOrderedID) throws(JobStoreError) -> JSON {
        let stored = try expect(id, in: section)
        guard stored.job != nil else {
            throw JobStoreError(.unreadable, "job \(id) cannot be read from the store")
        }
        return describe(stored, payload: true)
    }

    package func retry(_ section: JobSection, _ id: TimeOrderedID) throws(JobStoreError) -> JSON {
        _ = try expect(id, in: section)
        let next: WallClock
        do throws(JobStoreError) {
            next = try store.retryJob(id)
        } catch  where error.kind == .running {
            throw JobStoreError(.running, "job \(id) is being attempted right now; see its outcome in the log")
        }
        return try noted([
            "id": .string(id.description), "result": section == .queue ? "retried" : "queued",
            "next_attempt_at": .string(next.rfc3339),
        ])
    }

    package func drop(_ section: JobSection, _ id: TimeOrderedID) throws(JobStoreError) -> JSON {
        _ = try expect(id, in: section)
        let before = try store.dropJob(id)
        var answer: JSON = ["id": .string(id.description), "result": "dropped"]
        if before == .running {
            answer = answer.adding("note", "an attempt was under way; it finishes, and its outcome is not recorded")
        }
        return answer
    }

    // MARK: Helpers

    private func expect(_ id: TimeOrderedID, in section: JobSection) throws(JobStoreError) -> StoredJob {
        guard let stored = try store.stored(id), stored.state != .done else {
            throw JobStoreError(.notFound, section == .queue ? "no queued job \(id)" : "no dead letter \(id)")
        }
        switch (stored.section, section) {
        case (.dead, .queue):
            throw JobStoreError(.notFound, "\(id) is a dead letter, not a queued job (see herald dead show \(id))")
        case (.queue, .dead):
            throw JobStoreError(.notFound, "\(id) is a queued job, not a dead letter (see herald queue show \(id))")
        default:
            return stored
        }
    }

    /// `answer`, saying so when no `herald serve` performs the store's jobs now.
    private func noted(_ answer: JSON) throws(JobStoreError) -> JSON {
        try store.isServed() ? answer : answer.adding("note", "it runs when herald serve starts")
    }

    func describe(_ stored: StoredJob, payload: Bool) -> JSON {
        guard let job = stored.job else {
            return ["id": .string(stored.id.description), "error": "its record cannot be read"]
        }
        var object: JSON = [
            "id": .string(job.id.description), "event_id": .string(job.eventID.description),
            "event": .string(job.eventName.rawValue), "route": .string(job.route), "action": .string(job.action),
            "created_at": .string(job.createdAt.rfc3339), "attempts": .int(Int64(stored.attempts)),
            // The event's trace and the ingress span its attempts are children of.
            "trace_id": job.trace.map { .string($0.traceID.hex) } ?? .null,
            "span_id": job.trace.map { .string($0.spanID.hex) } ?? .null,
        ]
        if let death = stored.death {
            object = object.adding("died_at", .string(death.diedAt.rfc3339)).adding("reason", .string(death.reason))
                .adding("last_answer", death.lastAnswer.map(JSON.string) ?? .null)
        } else {
            object = object.adding("next_attempt_at", .string(job.notBefore.rfc3339))
            if let wait = stored.wait {
                object = object.adding("running", .bool(wait == .running))
                if let text = Self.describe(wait, job: job) { object = object.adding("waits_for", .string(text)) }
            }
        }
        if payload {
            object = object.adding("ordering_key", job.orderingKey.map(JSON.string) ?? .null)
                .adding("payload", job.payload)
        }
        return object
    }

    /// What the performing process says the job waits for, in words.
    static func describe(_ wait: JobWait, job: Job) -> String? { wait.explanation(for: job) }
}

extension JSON {
    /// The object with `key` set to `value` (appended when new).
    package func adding(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var object) = self else { return self }
        object[key] = value
        return .object(object)
    }
}
