import HeraldCore
import HeraldHTTP
import HeraldPostgres
import HeraldSpool

/// `herald queue|dead` on a PostgreSQL store: every instance shares the database, so the
/// commands talk to it directly (no control socket), with the answers `SpoolControl` gives.
package final class PostgresControl: QueueControl, @unchecked Sendable {
    // One connection, used by one CLI command on one thread.
    private let store: PostgresJobStore

    package init(dsn: String, connectTimeout: Duration) throws(PostgresError) {
        let connection = try PostgresConnection(dsn: dsn, connectTimeout: connectTimeout)
        try PostgresSchema.check(connection)
        store = PostgresJobStore(connection: connection)
    }

    /// Performs a request of the control socket's form (`GET /queue?limit=50`, `POST /dead/ID/retry`).
    package func answer(method: String, target: String) -> (status: Int, body: JSON) {
        ControlResponder.answer(HTTPRequestHead(method: method, target: target), control: self)
    }

    package func list(_ section: SpoolControl.Section, limit: Int, filter: JobFilter) throws(ControlError) -> JSON {
        let (total, items) = try perform {
            try store.list(
                dead: section == .dead, limit: limit, route: filter.route, action: filter.action, since: filter.since)
        }
        return [
            "total": .int(Int64(total)),
            section == .dead ? "dead_letters" : "jobs": .array(items.map { describe($0, payload: false) }),
        ]
    }

    package func retryDead(matching filter: JobFilter, dryRun: Bool) throws(ControlError) -> JSON {
        let (_, items) = try perform {
            try store.list(dead: true, limit: 0, route: filter.route, action: filter.action, since: filter.since)
        }
        var retried: [JSON] = []
        if !dryRun {
            for item in items where try perform({ try store.revive(item.job.id) }) != nil {
                retried.append(.string(item.job.id.description))
            }
        }
        return [
            "matched": .int(Int64(items.count)), "dry_run": .bool(dryRun),
            "ids": .array(items.map { JSON.string($0.job.id.description) }), "retried": .array(retried),
        ]
    }

    package func show(_ section: SpoolControl.Section, _ id: TimeOrderedID) throws(ControlError) -> JSON {
        describe(try expect(id, in: section), payload: true)
    }

    package func retry(_ section: SpoolControl.Section, _ id: TimeOrderedID) throws(ControlError) -> JSON {
        let item = try expect(id, in: section)
        switch section {
        case .queue:
            if item.running {
                throw ControlError(409, "job \(id) is being attempted right now; see its outcome in the log")
            }
            // An instance may have claimed it since it was read: then it is running, as the
            // spool's answer says when its scheduler took the job first.
            guard let next = try perform({ try store.runNow(id) }) else {
                return ["id": .string(id.description), "result": "running"]
            }
            return try noted(
                ["id": .string(id.description), "result": "retried", "next_attempt_at": .string(next.rfc3339)])
        case .dead:
            guard let next = try perform({ try store.revive(id) }) else {
                throw ControlError(404, "no dead letter \(id)")
            }
            return try noted(
                ["id": .string(id.description), "result": "queued", "next_attempt_at": .string(next.rfc3339)])
        }
    }

    package func drop(_ section: SpoolControl.Section, _ id: TimeOrderedID) throws(ControlError) -> JSON {
        let item = try expect(id, in: section)
        _ = try perform { try store.remove(id) }
        var answer: JSON = ["id": .string(id.description), "result": "dropped"]
        if item.running { answer = answer.adding("note", "an attempt was under way; its outcome is not recorded") }
        return answer
    }

    private func expect(_ id: TimeOrderedID, in section: SpoolControl.Section) throws(ControlError)
        -> PostgresJobStore.Listed
    {
        guard let item = try perform({ try store.find(id) }) else {
            throw ControlError(404, section == .queue ? "no queued job \(id)" : "no dead letter \(id)")
        }
        switch (item.diedAt != nil, section) {
        case (true, .queue):
            throw ControlError(404, "\(id) is a dead letter, not a queued job (see herald dead show \(id))")
        case (false, .dead):
            throw ControlError(404, "\(id) is a queued job, not a dead letter (see herald queue show \(id))")
        default: return item
        }
    }

    /// `answer`, saying so when no `herald serve` is connected to perform the job now (as the
    /// spool's answer does when the CLI opened the spool of a stopped daemon).
    private func noted(_ answer: JSON) throws(ControlError) -> JSON {
        guard try perform({ try store.serveConnections() }) == 0 else { return answer }
        return answer.adding("note", "it runs when herald serve starts")
    }

    private func perform<T>(_ work: () throws -> T) throws(ControlError) -> T {
        do {
            return try work()
        } catch {
            throw ControlError(503, "the database could not do it: \(error)")
        }
    }

    private func describe(_ item: PostgresJobStore.Listed, payload: Bool) -> JSON {
        let job = item.job
        var object: JSON = [
            "id": .string(job.id.description), "event_id": .string(job.eventID.description),
            "event": .string(job.eventName.rawValue), "route": .string(job.route), "action": .string(job.action),
            "created_at": .string(job.createdAt.rfc3339), "attempts": .int(Int64(job.attempts)),
        ]
        if let diedAt = item.diedAt {
            object = object.adding("died_at", .string(diedAt.rfc3339)).adding("reason", .string(item.reason ?? ""))
                .adding("last_answer", item.lastAnswer.map(JSON.string) ?? .null)
        } else {
            object = object.adding("next_attempt_at", .string(job.notBefore.rfc3339))
                .adding("running", .bool(item.running))
            // The database knows what a running daemon's scheduler knows: the same words.
            let wait: JobWait =
                item.running ? .running : item.ahead > 0 ? .earlierJobs(ahead: item.ahead) : .dueTime
            if let text = SpoolControl.describe(wait, job: job) { object = object.adding("waits_for", .string(text)) }
        }
        if payload {
            object = object.adding("ordering_key", job.orderingKey.map(JSON.string) ?? .null)
                .adding("payload", job.payload)
        }
        return object
    }
}
