import HeraldCore

/// A compiled `do:` step of a Mailchimp action. Planning renders every call the job will make,
/// in order, so the spool (and `herald explain`) holds exactly what will be sent, minus the key:
///
/// ```json
/// {"operation": "upsert", "list_id": "a1b2c3d4e5", "email": "jane.doe@example.com",
///  "requests": [
///    {"method": "PUT", "path": "/lists/a1b2c3d4e5/members/0cba00ca3da1b283a57287bcceb17e35",
///     "body": {"email_address": "jane.doe@example.com", "status_if_new": "pending",
///              "merge_fields": {"FNAME": "Jane"}}},
///    {"method": "POST", "path": "/lists/a1b2c3d4e5/members/0cba00ca3da1b283a57287bcceb17e35/tags",
///     "body": {"tags": [{"name": "newsletter", "status": "active"}]}}]}
/// ```
///
/// Every call is idempotent (an upsert, a status change, tags with explicit statuses, an
/// archive), so an attempt after a partial or ambiguous one repeats them all.
struct MailchimpStep: ActionStep {
    let action: String
    let operation: MailchimpOperation
    let listID: String
    let email: Template
    /// `subscribed` or `pending`; for `upsert` only.
    let statusIfNew: String?
    /// Also changes an existing member's status (and restores an archived one).
    let status: String?
    let mergeFields: [(tag: String, value: Template)]
    let language: Template?
    let skipMergeValidation: Bool?
    let addTags: [Template]
    let removeTags: [Template]

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        let address = email.render(event, report: &report).trimmingSpaces()
        guard !address.isEmpty else { return .nothing(because: "no member: 'email' rendered empty for this event") }
        guard EmailAddress(email: address).looksValid else {
            return .nothing(
                because: "no member: 'email' is not an address (\(RemoteTextRedactor(secrets: []).address(address)))")
        }
        let hash = MD5.hexDigest(Array(address.lowercased().utf8))
        let member = "/lists/\(listID)/members/\(hash)"
        var requests: [MailchimpRequest] = []
        switch operation {
        case .upsert:
            var body: JSONObject = ["email_address": .string(address), "status_if_new": .string(statusIfNew ?? "")]
            if let status { body["status"] = .string(status) }
            var fields = JSONObject()
            for (tag, value) in mergeFields {
                // Left out when empty, so that a value the event lacks does not erase the stored one.
                let text = value.render(event, report: &report)
                if !text.isEmpty { fields[tag] = .string(text) }
            }
            if !fields.isEmpty { body["merge_fields"] = .object(fields) }
            if let language = language?.render(event, report: &report).trimmingSpaces(), !language.isEmpty {
                body["language"] = .string(language)
            }
            let query = skipMergeValidation.map { "skip_merge_validation=\($0)" }
            requests.append(MailchimpRequest(method: "PUT", path: member, query: query, body: .object(body)))
        case .unsubscribe:
            requests.append(MailchimpRequest(method: "PATCH", path: member, body: ["status": "unsubscribed"]))
        case .archive:
            requests.append(MailchimpRequest(method: "DELETE", path: member))
        }
        if let tags = tagsBody(event, report: &report) {
            requests.append(MailchimpRequest(method: "POST", path: member + "/tags", body: tags))
        }
        let payload: JSONObject = [
            "operation": .string(operation.rawValue), "list_id": .string(listID), "email": .string(address),
            "requests": .array(requests.map(\.json)),
        ]
        return PlannedJob(payload: .object(payload), orderingKey: address.lowercased())
    }

    /// `{"tags": [{"name", "status": "active"|"inactive"}]}`, or nil when no tag rendered. A tag
    /// that renders empty or uses a value the event lacks (`plan-{{identity.traits.plan}}` without
    /// a plan) is left out rather than created half; a tag both added and removed is added.
    private func tagsBody(_ event: Event, report: inout RenderReport) -> JSON? {
        var items: [JSON] = []
        var seen = Set<String>()
        for (templates, status) in [(addTags, "active"), (removeTags, "inactive")] {
            for template in templates {
                var own = RenderReport()
                let name = template.render(event, report: &own).trimmingSpaces()
                for path in own.missingPaths { report.noteMissing(path) }
                guard own.missingPaths.isEmpty, !name.isEmpty, seen.insert(name).inserted else { continue }
                items.append(["name": .string(name), "status": .string(status)])
            }
        }
        return items.isEmpty ? nil : ["tags": .array(items)]
    }
}
