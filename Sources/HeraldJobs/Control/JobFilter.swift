import HeraldCore

/// Which queued jobs or dead letters an operator means: `--route NAME`, `--action NAME`,
/// `--since DURATION` (created, or for dead letters died, within that long before now); a
/// person's (`herald forget|export`: the job names the identity id or address); those older than
/// a retention period (`olderThan`). An empty filter matches everything. Each store applies it its own way (`matches` on the spool,
/// a `WHERE` in PostgreSQL): a new criterion is added to both.
package struct JobFilter: Sendable, Equatable {
    package var route: String?
    package var action: String?
    package var since: Duration?
    /// Jobs whose payload, or dead letter's reason or last answer, names this person.
    package var subject: DataSubject?
    /// Created, or for dead letters died, at least this long before now.
    package var olderThan: Duration?

    package init(
        route: String? = nil, action: String? = nil, since: Duration? = nil, subject: DataSubject? = nil,
        olderThan: Duration? = nil
    ) {
        self.route = route
        self.action = action
        self.since = since
        self.subject = subject
        self.olderThan = olderThan
    }

    /// True when no criterion is set.
    package var isEmpty: Bool { route == nil && action == nil && since == nil && subject == nil && olderThan == nil }

    /// True when only times are asked about: a store can decide without reading payloads.
    package var needsOnlyTime: Bool { route == nil && action == nil && subject == nil }

    /// Whether `job` matches; `time` is when it was created (queue) or died (dead letters).
    /// `death` is a dead letter's, whose reason and last answer may name the person too.
    package func matches(_ job: Job, time: WallClock, now: WallClock, death: DeadLetter? = nil) -> Bool {
        if let route, job.route != route { return false }
        if let action, job.action != action { return false }
        if !matches(time: time, now: now) { return false }
        if let subject {
            let named =
                subject.matches(json: job.payload)
                || death.map { subject.matches($0.reason + "\n" + ($0.lastAnswer ?? "")) } ?? false
            if !named { return false }
        }
        return true
    }

    /// Whether the time criteria hold for a job created (or died) at `time`.
    package func matches(time: WallClock, now: WallClock) -> Bool {
        if let since, now - time > since { return false }
        if let olderThan, now - time < olderThan { return false }
        return true
    }

    /// The control socket's query form: `route=…&action=…&since_ms=…`.
    package var query: [String] {
        var items: [String] = []
        if let route { items.append("route=\(PercentEncoding.encode(route))") }
        if let action { items.append("action=\(PercentEncoding.encode(action))") }
        if let since { items.append("since_ms=\(since.saturatingMilliseconds)") }
        if let olderThan { items.append("older_than_ms=\(olderThan.saturatingMilliseconds)") }
        if let subject { items += subject.query }
        return items
    }

    /// Reads the query form back.
    /// - Throws: `.invalid` for a malformed one.
    package init(query: Substring?) throws(JobStoreError) {
        guard let query else { return }
        var identity: String?
        var email: String?
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count == 2 ? String(parts[1]) : ""
            switch parts[0] {
            case "route": route = PercentEncoding.decode(value)
            case "action": action = PercentEncoding.decode(value)
            case "since_ms":
                guard let milliseconds = Int64(value), milliseconds >= 0 else {
                    throw JobStoreError(.invalid, "since_ms must be a number ≥ 0")
                }
                since = .milliseconds(milliseconds)
            case "older_than_ms":
                guard let milliseconds = Int64(value), milliseconds >= 0 else {
                    throw JobStoreError(.invalid, "older_than_ms must be a number ≥ 0")
                }
                olderThan = .milliseconds(milliseconds)
            case "identity": identity = PercentEncoding.decode(value)
            case "email": email = PercentEncoding.decode(value)
            default: continue
            }
        }
        if identity != nil || email != nil {
            // Never dropped when malformed: a forget without its person would mean everyone.
            if let problem = DataSubject.problem(identity: identity, email: email) {
                throw JobStoreError(.invalid, problem)
            }
            subject = DataSubject(identity: identity, email: email)
        }
    }
}
