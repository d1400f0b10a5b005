import HeraldCore

/// The control protocol of `herald queue|dead`: a method and a target, answered as JSON by a
/// `QueueControl`. The local daemon serves it on its control socket (`state_dir/control.sock`);
/// the CLI performs it directly on a store no daemon holds, or on PostgreSQL.
///
/// | request | answer |
/// | --- | --- |
/// | `GET /queue?limit=N`, `GET /dead?limit=N` | `{"total": N, "jobs"|"dead_letters": [...]}` (limit 0: all) |
/// | `GET /queue/{id}`, `GET /dead/{id}` | the job with its payload; a dead letter's reason and last answer |
/// | `POST /queue/{id}/retry`, `POST /dead/{id}/retry` | run now; a dead letter goes back in the queue |
/// | `POST /queue/{id}/drop`, `POST /dead/{id}/drop` | removed for good |
/// | `POST /dead/retry?route=…&action=…&since_ms=…[&dry_run=1]` | every matching dead letter back in the queue |
/// | `POST /forget?identity=…&email=…` | a person's jobs, dead letters and kept files removed; counts |
/// | `GET /export?identity=…&email=…` | everything held about a person |
///
/// The lists take the same `route`, `action` and `since_ms` filters. Errors: `{"error": "..."}`
/// with 400, 404, 405, 409 or 503 (`JobStoreError`'s status); the CLI exits 2 for 400 and 404.
package enum JobControlRequest {
    /// Where a local daemon serves the protocol: `state_dir/control.sock`.
    package static func socketPath(stateDirectory: String) -> String { stateDirectory + "/control.sock" }

    /// Performs `method target` on `control`; the status and the JSON answer, errors included.
    package static func answer(method: String, target: String, control: any QueueControl) -> (status: Int, body: JSON) {
        let (path, query) = split(target)
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts == ["forget"] || parts == ["export"] {
            return person(parts[0], method: method, query: query, control: control)
        }
        guard let first = parts.first, let section = JobSection(rawValue: first) else {
            return failure(404, "no such path; try /queue or /dead")
        }
        let isRetryAll = parts.count == 2 && section == .dead && parts[1] == "retry"
        let isChange = parts.count == 3 && (parts[2] == "retry" || parts[2] == "drop")
        switch (method, parts.count) {
        case ("GET", 1), ("GET", 2): break
        case ("POST", _) where isRetryAll || isChange: break
        case (_, 1...3): return failure(405, "\(method) \(path) is not supported")
        default: return failure(404, "no such path")
        }
        do throws(JobStoreError) {
            if parts.count == 1 {
                return (200, try control.list(section, limit: try limit(query), filter: try JobFilter(query: query)))
            }
            if isRetryAll {
                let dryRun = query?.split(separator: "&").contains("dry_run=1") ?? false
                return (200, try control.retryDead(matching: try JobFilter(query: query), dryRun: dryRun))
            }
            let id = try self.id(parts[1])
            if parts.count == 2 { return (200, try control.show(section, id)) }
            return (200, parts[2] == "retry" ? try control.retry(section, id) : try control.drop(section, id))
        } catch {
            return failure(error.status, error.clientMessage)
        }
    }

    /// `POST /forget` and `GET /export`: a person named by `identity` and/or `email`.
    private static func person(_ verb: String, method: String, query: Substring?, control: any QueueControl) -> (
        status: Int, body: JSON
    ) {
        guard method == (verb == "forget" ? "POST" : "GET") else {
            return failure(405, "\(method) /\(verb) is not supported")
        }
        do throws(JobStoreError) {
            guard let subject = try JobFilter(query: query).subject else {
                throw JobStoreError(.invalid, DataSubject.problem(identity: nil, email: nil) ?? "no person given")
            }
            return (200, verb == "forget" ? try control.forget(subject) : try control.export(subject))
        } catch {
            return failure(error.status, error.clientMessage)
        }
    }

    private static func split(_ target: String) -> (path: Substring, query: Substring?) {
        guard let mark = target.firstIndex(of: "?") else { return (target[...], nil) }
        return (target[..<mark], target[target.index(after: mark)...])
    }

    private static func failure(_ status: Int, _ message: String) -> (status: Int, body: JSON) {
        (status, ["error": .string(message)])
    }

    private static func id(_ text: String) throws(JobStoreError) -> TimeOrderedID {
        guard let id = TimeOrderedID(text) else { throw JobStoreError(.invalid, "'\(text)' is not a job id") }
        return id
    }

    private static func limit(_ query: Substring?) throws(JobStoreError) -> Int {
        guard let query else { return 0 }
        for pair in query.split(separator: "&") where pair.hasPrefix("limit=") {
            guard let value = Int(pair.dropFirst(6)), value >= 0 else {
                throw JobStoreError(.invalid, "limit must be a number ≥ 0")
            }
            return value
        }
        return 0
    }
}

extension JobStoreError: HTTPRejection {
    /// 404 no such job (or in the other section), 409 running, 400 a bad request, 503 the store
    /// could not do it.
    package var status: Int {
        switch kind {
        case .notFound: 404
        case .running: 409
        case .invalid: 400
        case .unavailable, .unreadable: 503
        }
    }

    package var clientMessage: String {
        switch kind {
        case .notFound, .running, .invalid: message
        case .unavailable, .unreadable: "the store could not do it: \(message)"
        }
    }
}
