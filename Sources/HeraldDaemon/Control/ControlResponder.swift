import Dispatch
import HeraldCore
import HeraldHTTP
import HeraldJobs

/// The daemon's control socket (`state_dir/control.sock`, mode 0600): `herald queue|dead` talk
/// to it while the daemon holds the spool. JSON in the shapes of `JobControl`:
///
/// | request | answer |
/// | --- | --- |
/// | `GET /queue?limit=N`, `GET /dead?limit=N` | `{"total": N, "jobs"|"dead_letters": [...]}` (limit 0: all) |
/// | `GET /queue/{id}`, `GET /dead/{id}` | the job with its payload; a dead letter's reason and last answer |
/// | `POST /queue/{id}/retry`, `POST /dead/{id}/retry` | run now; a dead letter goes back in the queue |
/// | `POST /queue/{id}/drop`, `POST /dead/{id}/drop` | removed for good |
/// | `POST /dead/retry?route=…&action=…&since_ms=…[&dry_run=1]` | every matching dead letter back in the queue |
///
/// The lists take the same `route`, `action` and `since_ms` filters.
///
/// Errors: `{"error": "..."}` with 400, 404, 405, 409 or 503 (see `ControlError`).
package final class ControlResponder: HTTPResponder {
    private let control: any QueueControl
    /// Control requests read from disk and wait for fsync: never on the HTTP thread. Serial, so
    /// that one operator's requests apply in order.
    private let work = DispatchQueue(label: "herald.control")

    init(control: any QueueControl) {
        self.control = control
    }

    package func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        let head = request.head
        work.async { [control] in
            let response: HTTPResponse
            do throws(ControlError) {
                let answer = try ControlResponder.perform(head, control: control)
                response = .json(200, answer.serialized())
            } catch {
                response = .json(error.status, JSON.object(["error": .string(error.message)]).serialized())
            }
            writer.respond(response)
        }
    }

    /// The status and body for a request, errors included (for callers without a socket).
    package static func answer(_ head: HTTPRequestHead, control: any QueueControl) -> (status: Int, body: JSON) {
        do throws(ControlError) {
            return (200, try perform(head, control: control))
        } catch {
            return (error.status, ["error": .string(error.message)])
        }
    }

    static func perform(_ head: HTTPRequestHead, control: any QueueControl) throws(ControlError) -> JSON {
        let parts = head.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = parts.first, let section = JobSection(rawValue: first) else {
            throw ControlError(404, "no such path; try /queue or /dead")
        }
        let isRetryAll = parts.count == 2 && section == .dead && parts[1] == "retry"
        let isChange = parts.count == 3 && (parts[2] == "retry" || parts[2] == "drop")
        switch (head.method, parts.count) {
        case ("GET", 1), ("GET", 2): break
        case ("POST", _) where isRetryAll || isChange: break
        case (_, 1...3): throw ControlError(405, "\(head.method) \(head.path) is not supported")
        default: throw ControlError(404, "no such path")
        }
        do throws(JobStoreError) {
            if parts.count == 1 {
                return try control.list(section, limit: try limit(head.query), filter: try JobFilter(query: head.query))
            }
            if isRetryAll {
                let dryRun = head.query?.split(separator: "&").contains("dry_run=1") ?? false
                return try control.retryDead(matching: try JobFilter(query: head.query), dryRun: dryRun)
            }
            let id = try self.id(parts[1])
            if parts.count == 2 { return try control.show(section, id) }
            return parts[2] == "retry" ? try control.retry(section, id) : try control.drop(section, id)
        } catch {
            throw ControlError(error)
        }
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
