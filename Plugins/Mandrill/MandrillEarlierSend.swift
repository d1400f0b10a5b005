import FoundationEssentials
import HeraldCore

/// Whether an earlier attempt of a job already sent it (issue 11): Mandrill's `messages/send` has
/// no idempotency key, so after an attempt that may have reached Mandrill (a timeout after
/// sending, a 5xx, a reset) the next attempt asks `messages/search` for a message carrying the
/// job's `metadata.herald_job` (reference/mandrill-webhooks.md §11). It needs that metadata
/// field indexed in Mandrill (Settings → Custom Metadata, or `metadata/add`); without it, or when
/// the search fails or is rate-limited (20 calls a minute), Herald cannot tell and sends.
enum MandrillEarlierSend {
    enum Finding: Equatable {
        /// A message of this job to these recipients: Mandrill's id.
        case found(String)
        case notFound
        /// The search could not answer (why, for the log).
        case inconclusive(String)
    }

    /// The search request: the job id as a phrase, the days around the job's life, the sender.
    static func request(for job: Job, recipients: [String], from: String?, now: WallClock, apiKey: String) -> JSON {
        var body: JSONObject = [
            "key": .string(apiKey), "query": .string("\"\(job.id.description)\""),
            "date_from": .string(day(of: job.createdAt.adding(.seconds(-86_400)))),
            "date_to": .string(day(of: now.adding(.seconds(86_400)))), "limit": 100,
        ]
        if let from { body["senders"] = [.string(from)] }
        return .object(body)
    }

    /// Message states in which Mandrill did not send the message (`rejected`: its rejection list
    /// or an unsigned domain; `canceled`: a scheduled send called off): such a message is no
    /// earlier send. Every other state (`sent`, `deferred`, `bounced`, `soft-bounced`, `spam`,
    /// `unsub`, `queued`, `scheduled`) means Mandrill took it on.
    static let unsentStates: Set<String> = ["rejected", "canceled", "invalid"]

    /// Reads the search's answer: only a message whose `metadata.herald_job` is this job's, whose
    /// address is one of its recipients and which Mandrill did not reject counts. (A rejected
    /// one is no send: the next attempt sends, and Mandrill's answer to it says why it refuses.)
    static func finding(in response: MandrillResponse, job: Job, recipients: [String], redactor: RemoteTextRedactor)
        -> Finding
    {
        guard response.status == 200 else {
            return .inconclusive("messages/search answered HTTP \(response.status)")
        }
        guard let answer = try? JSONDocument(parsing: response.body).root.json, let messages = answer.array else {
            return .inconclusive("messages/search answered something other than a list")
        }
        let wanted = Set(recipients.map { $0.lowercased() })
        for message in messages {
            guard message["metadata"]?["herald_job"]?.string == job.id.description,
                let email = message["email"]?.string, wanted.contains(email.lowercased()),
                !unsentStates.contains(message["state"]?.string?.lowercased() ?? "")
            else { continue }
            return .found(redactor.clean(message["_id"]?.string ?? "?", limit: 64))
        }
        return .notFound
    }

    /// `YYYY-MM-DD` (UTC), the format `date_from`/`date_to` take.
    static func day(of time: WallClock) -> String {
        String(time.rfc3339.prefix(10))
    }
}
