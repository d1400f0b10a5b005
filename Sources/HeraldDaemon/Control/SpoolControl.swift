import Dispatch
import HeraldCore
import HeraldSpool
import Synchronization

/// `herald queue|dead list|show|retry|drop` on a spool: by the CLI itself when no daemon runs,
/// or by the daemon for the CLI (through `ControlResponder`), so that every change goes through
/// the one process that owns the spool and reaches its scheduler too.
///
/// Answers are JSON, the same in both cases; the CLI prints them as they are (`--json`) or as
/// tables. Every method blocks on disk reads and on the spool's fsync: call it from a dedicated
/// thread or queue, never from Swift's shared threads.
package final class SpoolControl: QueueControl, Sendable {
    /// Queued jobs or dead letters.
    package enum Section: String, Sendable {
        case queue
        case dead
    }

    private let spool: Spool
    private let scheduler: Scheduler?
    private let clock: any TimeSource

    /// - Parameters:
    ///   - scheduler: the running daemon's scheduler; nil when the CLI opened the spool itself.
    package init(spool: Spool, scheduler: Scheduler? = nil, clock: any TimeSource = SystemTimeSource()) {
        self.spool = spool
        self.scheduler = scheduler
        self.clock = clock
    }

    /// `{"total": N, "jobs"|"dead_letters": [...]}`, oldest first, at most `limit` (0: all), of
    /// those `filter` matches (`total` counts the matches).
    package func list(_ section: Section, limit: Int, filter: JobFilter = JobFilter()) -> JSON {
        let now = clock.now
        var total = 0
        var items: [JSON] = []
        /// Counts and keeps (up to `limit`) one entry; an unreadable job matches only no filter.
        func consider(_ id: TimeOrderedID, time: (Job) -> WallClock, describe: (Job) -> JSON) {
            guard let job = try? spool.job(id) else {
                guard filter.isEmpty else { return }
                total += 1
                if limit == 0 || items.count < limit { items.append(unreadable(id)) }
                return
            }
            guard filter.matches(job, time: time(job), now: now) else { return }
            total += 1
            if limit == 0 || items.count < limit { items.append(describe(job)) }
        }
        switch section {
        case .queue:
            let ids = spool.queuedIDs
            if filter.isEmpty {
                // Nothing to match: read only the jobs shown, not a million payloads.
                for id in limit == 0 ? ids[...] : ids.prefix(limit) {
                    items.append((try? spool.job(id)).map { describe($0) } ?? unreadable(id))
                }
                return ["total": .int(Int64(ids.count)), "jobs": .array(items)]
            }
            for id in ids {
                consider(id, time: \.createdAt) { self.describe($0) }
            }
            return ["total": .int(Int64(total)), "jobs": .array(items)]
        case .dead:
            for letter in spool.deadLetters {
                consider(letter.id, time: { _ in letter.diedAt }) { job in
                    self.describe(
                        job, death: (letter.diedAt, letter.reason, letter.lastAnswer), attempts: letter.attempts)
                }
            }
            return ["total": .int(Int64(total)), "dead_letters": .array(items)]
        }
    }

    /// Puts every dead letter `filter` matches back in the queue (`herald dead retry --all |
    /// --route | --action | --since`); with `dryRun`, only says which. `{"matched": N,
    /// "retried": [ids], "dry_run": bool}`.
    package func retryDead(matching filter: JobFilter, dryRun: Bool) throws(ControlError) -> JSON {
        let now = clock.now
        var matched: [TimeOrderedID] = []
        for letter in spool.deadLetters {
            guard let job = try? spool.job(letter.id), filter.matches(job, time: letter.diedAt, now: now) else {
                continue
            }
            matched.append(letter.id)
        }
        var retried: [JSON] = []
        if !dryRun {
            for id in matched {
                _ = try retry(.dead, id)
                retried.append(.string(id.description))
            }
        }
        return [
            "matched": .int(Int64(matched.count)), "dry_run": .bool(dryRun),
            "ids": .array(matched.map { .string($0.description) }), "retried": .array(retried),
        ]
    }

    /// One job with its rendered payload; a dead letter with its reason and last answer.
    package func show(_ section: Section, _ id: TimeOrderedID) throws(ControlError) -> JSON {
        try expect(id, in: section)
        do throws(SpoolError) {
            switch section {
            case .queue:
                return describe(try spool.job(id), payload: true)
            case .dead:
                let dead = try spool.deadLetter(id)
                return describe(
                    dead.job, death: (dead.diedAt, dead.reason, dead.lastAnswer), attempts: dead.job.attempts,
                    payload: true)
            }
        } catch {
            throw ControlError(spool: error, id: id)
        }
    }

    /// Runs a queued job now, or puts a dead letter back in the queue as a new series of attempts.
    package func retry(_ section: Section, _ id: TimeOrderedID) throws(ControlError) -> JSON {
        try expect(id, in: section)
        let now = clock.now
        do throws(SpoolError) {
            _ = try wait { spool.retry(id, notBefore: now, completion: $0) }
        } catch .running {
            throw ControlError(409, "job \(id) is being attempted right now; see its outcome in the log")
        } catch {
            throw ControlError(spool: error, id: id)
        }
        var answer: JSON = [
            "id": .string(id.description), "result": section == .queue ? "retried" : "queued",
            "next_attempt_at": .string(now.rfc3339),
        ]
        if scheduler == nil {
            answer = answer.adding("note", "it runs when herald serve starts")
        } else {
            scheduler?.doorbell.ring()
        }
        return answer
    }

    /// Removes a queued job or a dead letter for good.
    package func drop(_ section: Section, _ id: TimeOrderedID) throws(ControlError) -> JSON {
        try expect(id, in: section)
        let before: JobState?
        do throws(SpoolError) {
            before = try wait { spool.drop(id, completion: $0) }
        } catch {
            throw ControlError(spool: error, id: id)
        }
        var answer: JSON = ["id": .string(id.description), "result": "dropped"]
        if before == .running {
            answer = answer.adding("note", "an attempt was under way; it finishes but is not retried")
        }
        scheduler?.doorbell.ring()
        return answer
    }

    // MARK: Helpers

    private func expect(_ id: TimeOrderedID, in section: Section) throws(ControlError) {
        switch (spool.state(of: id), section) {
        case (.queued?, .queue), (.running?, .queue), (.dead?, .dead): return
        case (.dead?, .queue):
            throw ControlError(404, "\(id) is a dead letter, not a queued job (see herald dead show \(id))")
        case (.queued?, .dead), (.running?, .dead):
            throw ControlError(404, "\(id) is a queued job, not a dead letter (see herald queue show \(id))")
        case (nil, .queue), (.done?, .queue): throw ControlError(404, "no queued job \(id)")
        case (nil, .dead), (.done?, .dead): throw ControlError(404, "no dead letter \(id)")
        }
    }

    /// Makes a change through `start` and waits until its record is on disk.
    private func wait<T>(_ start: (@escaping SpoolCompletion) -> T) throws(SpoolError) -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = ResultBox()
        let value = start { result in
            outcome.set(result)
            done.signal()
        }
        done.wait()
        if case .failure(let error) = outcome.get() { throw error }
        return value
    }

    private func describe(
        _ job: Job, death: (WallClock, String, String?)? = nil, attempts: Int? = nil, payload: Bool = false
    ) -> JSON {
        var object: JSON = [
            "id": .string(job.id.description), "event_id": .string(job.eventID.description),
            "event": .string(job.eventName.rawValue), "route": .string(job.route), "action": .string(job.action),
            "created_at": .string(job.createdAt.rfc3339), "attempts": .int(Int64(attempts ?? job.attempts)),
        ]
        if let (diedAt, reason, lastAnswer) = death {
            object = object.adding("died_at", .string(diedAt.rfc3339)).adding("reason", .string(reason))
                .adding("last_answer", lastAnswer.map(JSON.string) ?? .null)
        } else {
            object = object.adding("next_attempt_at", .string(job.notBefore.rfc3339))
            if scheduler != nil {
                let wait = spool.wait(of: job.id)
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

    /// What a running daemon says the job waits for, in words.
    static func describe(_ wait: JobWait, job: Job) -> String? {
        switch wait {
        case .running: return "its attempt, under way now"
        case .dueTime: return job.attempts == 0 ? "its due time" : "its next attempt time"
        case .earlierJobs(let ahead):
            return
                "\(ahead) earlier job\(ahead == 1 ? "" : "s") of '\(job.action)' to the same recipient (first attempts run in order)"
        case .actionConcurrency: return "a free slot of action '\(job.action)' (its concurrency limit)"
        case .unknown: return nil
        }
    }

    private func unreadable(_ id: TimeOrderedID) -> JSON {
        ["id": .string(id.description), "error": "its record cannot be read"]
    }
}

/// A spool completion's result, handed from the writer thread to the waiting one (the semaphore
/// orders the accesses; the lock makes that visible to the checker).
private final class ResultBox: Sendable {
    private let value = Mutex<Result<Void, SpoolError>?>(nil)
    func set(_ result: Result<Void, SpoolError>) { value.withLock { $0 = result } }
    func get() -> Result<Void, SpoolError>? { value.withLock { $0 } }
}

extension JSON {
    /// The object with `key` set to `value` (appended when new).
    func adding(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var object) = self else { return self }
        object[key] = value
        return .object(object)
    }
}
