import HeraldCore

/// One item of Mandrill's answer to a send: `{"email", "status", "reject_reason", "queued_reason", "_id"}`.
struct RecipientResult: Sendable {
    static let acceptedStatuses: Set<String> = ["sent", "queued", "scheduled"]
    static let refusedStatuses: Set<String> = ["rejected", "invalid"]

    let email: String
    let status: String
    let id: String
    /// `reject_reason` or `queued_reason`.
    let reason: String?

    var isAccepted: Bool { Self.acceptedStatuses.contains(status) }

    /// `j***@example.com rejected (hard-bounce)` or `j***@example.com sent 5f3a…`: every part
    /// Mandrill sent passes through `redactor`.
    func note(_ redactor: RemoteTextRedactor) -> String {
        var note = "\(redactor.address(email)) \(status)"
        if let reason, !reason.isEmpty { note += " (\(redactor.clean(reason, limit: 40)))" }
        if !id.isEmpty { note += " \(redactor.clean(id, limit: 40))" }
        return note
    }

    /// The items of a documented answer; nil when the body is anything else (not JSON, not an
    /// array, empty, an item without a known status).
    static func list(_ bytes: [UInt8]) -> [RecipientResult]? {
        guard let root = try? JSONDocument(parsing: bytes).root, root.kind == .array, root.count > 0 else { return nil }
        var results: [RecipientResult] = []
        for item in root.elements {
            guard item.kind == .object, let status = item["status"]?.string,
                acceptedStatuses.contains(status) || refusedStatuses.contains(status)
            else { return nil }
            let reason = item[status == "queued" ? "queued_reason" : "reject_reason"]?.string
            results.append(
                RecipientResult(
                    email: item["email"]?.string ?? "", status: status, id: item["_id"]?.string ?? "", reason: reason))
        }
        return results
    }
}
