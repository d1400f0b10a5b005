import Foundation
import HeraldCore

/// Answers Mailchimp Transactional API requests the way the real service does, as a pure
/// function of its settings and the request: the request body is checked against the operation's
/// schema in the official OpenAPI description, not against what Herald happens to send.
///
/// Handled: `POST {prefix}/messages/send`, `/messages/send-template`, `/messages/search`,
/// `/users/ping2`, and the read-only account calls `/senders/domains`, `/senders/check-domain`,
/// `/templates/info` and `/webhooks/list` (answering from `domains`, `templates`,
/// `draftTemplates` and `webhooks`), each with
/// or without `.json` (any prefix such as `/api/1.0` is accepted). Order of checks: method, path,
/// `Content-Type: application/json`, JSON body, `key` (401 `Invalid_Key`), schema (400
/// `ValidationError`), subaccount and template (404 `Unknown_Subaccount`, `Unknown_Template`), then
/// one result per recipient: `invalid` for malformed addresses, `rejected` for those in
/// `rejected`, `scheduled` with `send_at`, `queued` when more than 10 recipients or `async: true`,
/// `sent` otherwise.
package struct MandrillAPISimulator: Sendable {
    /// Which HTTP statuses errors get.
    package enum ErrorStatuses: Sendable, Hashable {
        /// The semantic codes of the current API (401, 400, 404, …).
        case current
        /// HTTP 500 for every error, as Mandrill answered before 2023.
        case legacy
    }

    /// Valid API keys.
    package var keys: Set<String>
    /// Template slugs that exist and are published.
    package var templates: Set<String>
    /// Template slugs that exist but have never been published (`templates/info` only).
    package var draftTemplates: Set<String> = []
    /// The account's sending domains.
    package var domains: [MandrillSendingDomain] = []
    /// The account's webhooks.
    package var webhooks: [MandrillWebhookRegistration] = []
    /// Subaccount ids that exist.
    package var subaccounts: Set<String>
    /// Lower-cased address → `reject_reason` (`hard-bounce`, `unsub`, …).
    package var rejected: [String: String]
    package var errorStatuses: ErrorStatuses
    /// Metadata fields searchable with `messages/search` (Mandrill indexes a field only once it is
    /// added under Settings → Custom Metadata, or with `metadata/add`).
    package var indexedMetadata: Set<String> = []
    package let api: MandrillOpenAPI

    package init(
        keys: Set<String>, templates: Set<String> = [], subaccounts: Set<String> = [], rejected: [String: String] = [:],
        errorStatuses: ErrorStatuses = .current, api: MandrillOpenAPI? = nil
    ) throws(ReferenceFileError) {
        self.keys = keys
        self.templates = templates
        self.subaccounts = subaccounts
        self.rejected = Dictionary(rejected.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.errorStatuses = errorStatuses
        if let api {
            self.api = api
        } else {
            self.api = try MandrillOpenAPI.shared()
        }
    }

    static let operations = [
        "/messages/send", "/messages/send-template", "/messages/search", "/users/ping2", "/senders/domains",
        "/senders/check-domain", "/templates/info", "/webhooks/list",
    ]

    /// The spec operation a request path names (`/api/1.0/messages/send.json` → `/messages/send`).
    package static func operation(forPath path: String) -> String? {
        let trimmed = path.hasSuffix(".json") ? String(path.dropLast(5)) : path
        return operations.first { trimmed.hasSuffix($0) }
    }

    /// The answer to `request`; `sent` is what `messages/search` finds.
    package func respond(to request: MandrillTestRequest, sent: [MandrillSentMessage] = []) -> MandrillTestResponse {
        guard let operation = Self.operation(forPath: request.path) else {
            return error(404, code: -1, name: "Unknown_Url", message: "Unknown URL \(request.path)")
        }
        guard request.method == "POST" else {
            var response = MandrillTestResponse(status: 405, body: Array("POST only\n".utf8))
            response.headers["Allow"] = "POST"
            return response
        }
        let contentType = request.header("Content-Type")?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard contentType == "application/json" else {
            return error(
                400, code: -2, name: "ValidationError",
                message: "Content-Type must be application/json, found \(request.header("Content-Type") ?? "none")")
        }
        guard let body = request.json else {
            return error(400, code: -2, name: "ValidationError", message: "The request body is not valid JSON")
        }
        guard let key = body["key"]?.string else {
            return error(401, code: -1, name: "Invalid_Key", message: "You must specify a key value")
        }
        guard keys.contains(key) else {
            return error(401, code: -1, name: "Invalid_Key", message: "Invalid API key")
        }
        let violations = api.validateRequest(body, operation: operation)
        if !violations.isEmpty {
            let detail = violations.prefix(3).map(\.description).joined(separator: "; ")
            return error(400, code: -2, name: "ValidationError", message: "Validation error: \(detail)")
        }
        if operation == "/users/ping2" {
            return .json(200, ["PING": "PONG!"])
        }
        if let answer = respondAboutAccount(operation, body: body) {
            return answer
        }
        if operation == "/messages/search" {
            return .json(200, .array(search(body, in: sent).map(\.summary)))
        }
        if let subaccount = body["message"]?["subaccount"]?.string, !subaccounts.contains(subaccount) {
            return error(
                404, code: 12, name: "Unknown_Subaccount", message: "No subaccount exists with the id '\(subaccount)'")
        }
        if operation == "/messages/send-template", let name = body["template_name"]?.string, !templates.contains(name) {
            return error(404, code: 5, name: "Unknown_Template", message: "No such template \"\(name)\"")
        }
        return .json(200, .array(results(for: body)))
    }

    /// The messages a successful send of `request` made, as `messages/search` lists them: each
    /// recipient Mandrill accepted (`sent`), and each it rejected (`rejected`: Mandrill keeps
    /// those too, and its search finds them). Malformed addresses make no message.
    package func sentMessages(for request: MandrillTestRequest, answer: MandrillTestResponse, at time: WallClock)
        -> [MandrillSentMessage]
    {
        guard answer.status == 200, let body = request.json,
            let results = try? JSONDocument(parsing: answer.body).root.json.array
        else { return [] }
        let message = body["message"]
        return results.compactMap { result in
            guard let status = result["status"]?.string, ["sent", "queued", "scheduled", "rejected"].contains(status),
                let id = result["_id"]?.string, let email = result["email"]?.string
            else { return nil }
            return MandrillSentMessage(
                id: id, email: email, sender: message?["from_email"]?.string ?? "",
                subject: message?["subject"]?.string ?? "", metadata: message?["metadata"]?.object ?? [:], ts: time,
                state: status == "rejected" ? "rejected" : "sent")
        }
    }

    /// `messages/search`: a query of terms or "phrases" (a quoted phrase matches as a whole),
    /// matched against the address, sender, subject and indexed metadata; `senders` narrows;
    /// `date_from`/`date_to` (UTC days, inclusive) bound the send time, the last 7 days without
    /// them; at most `limit` (100) results.
    private func search(_ body: JSON, in sent: [MandrillSentMessage]) -> [MandrillSentMessage] {
        let query = body["query"]?.string ?? "*"
        var terms: [String] = []
        var rest = Substring(query)
        while let first = rest.first {
            if first == " " {
                rest = rest.dropFirst()
            } else if first == "\"" {
                let phrase = rest.dropFirst().prefix { $0 != "\"" }
                terms.append(String(phrase))
                rest = rest.dropFirst(phrase.count + 2)
            } else {
                let word = rest.prefix { $0 != " " }
                terms.append(String(word))
                rest = rest.dropFirst(word.count)
            }
        }
        let senders = body["senders"]?.array?.compactMap(\.string).map { $0.lowercased() }
        let from = body["date_from"]?.string
        let to = body["date_to"]?.string
        let limit = Int(body["limit"]?.int ?? 100)
        return Array(
            sent.filter { message in
                let day = String(message.ts.rfc3339.prefix(10))
                if let from, day < from { return false }
                if let to, day > to { return false }
                if from == nil && to == nil && message.ts < WallClock.now.adding(.seconds(-7 * 86_400)) { return false }
                if let senders, !senders.contains(message.sender.lowercased()) { return false }
                var fields = [message.email, message.sender, message.subject]
                for name in indexedMetadata { if let value = message.metadata[name]?.string { fields.append(value) } }
                return terms.allSatisfy { term in
                    term == "*" || fields.contains { $0.lowercased() == term.lowercased() }
                }
            }
            .prefix(max(1, limit)))
    }

    private func results(for body: JSON) -> [JSON] {
        let recipients = body["message"]?["to"]?.array ?? []
        let scheduled = body["send_at"]?.string.map { !$0.isEmpty } ?? false
        let queued = recipients.count > 10 || body["async"] == .bool(true)
        return recipients.map { recipient in
            let email = recipient["email"]?.string ?? ""
            var result: JSONObject = [
                "email": .string(email), "status": "sent", "reject_reason": nil, "queued_reason": nil,
                "_id": .string(Self.messageID()),
            ]
            if !Self.isValidAddress(email) {
                result["status"] = "invalid"
            } else if let reason = rejected[email.lowercased()] {
                result["status"] = "rejected"
                result["reject_reason"] = .string(reason)
            } else if scheduled {
                result["status"] = "scheduled"
            } else if queued {
                result["status"] = "queued"
                result["queued_reason"] = "multiple-recipients"
            }
            return .object(result)
        }
    }

    /// An error answer; HTTP 500 in legacy mode.
    package func error(_ status: Int, code: Int64, name: String, message: String) -> MandrillTestResponse {
        .error(errorStatuses == .legacy ? 500 : status, code: code, name: name, message: message)
    }

    /// A syntax check in the spirit of Mandrill's: `local@domain.tld`, no spaces or controls,
    /// domain labels of letters, digits and hyphens.
    package static func isValidAddress(_ address: String) -> Bool {
        guard let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, local.count <= 64, domain.count <= 255,
            !local.unicodeScalars.contains(where: {
                $0.value <= 0x20 || $0.value == 0x7F || "<>()[],;:\\\"".unicodeScalars.contains($0)
            })
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy {
                    $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-"
                }
        }
    }

    private static func messageID() -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<32).map { _ in digits[Int.random(in: 0..<16)] })
    }
}

/// A message the simulator accepted, as `messages/search` returns it.
package struct MandrillSentMessage: Sendable, Equatable {
    package var id: String
    package var email: String
    package var sender: String
    package var subject: String
    package var metadata: JSONObject
    package var ts: WallClock
    package var state: String

    var summary: JSON {
        [
            "ts": .int(ts.millisecondsSinceEpoch / 1000), "_id": .string(id), "sender": .string(sender),
            "template": nil, "subject": .string(subject), "email": .string(email), "tags": [], "opens": 0,
            "opens_detail": [], "clicks": 0, "clicks_detail": [], "state": .string(state),
            "metadata": .object(metadata),
        ]
    }
}
