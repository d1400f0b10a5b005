import HeraldCore

/// Mailchimp's error body (problem+json, reference/mailchimp-marketing.md §8):
/// `{"type", "title", "status", "detail", "instance", "errors": [{"field", "message"}]}`. Every
/// field is optional, as real answers sometimes lack `type` or have an empty `instance`.
struct MailchimpProblem: Sendable, Equatable {
    var title: String
    var detail: String
    var instance: String
    var errors: [(field: String, message: String)]

    static func == (lhs: MailchimpProblem, rhs: MailchimpProblem) -> Bool {
        lhs.title == rhs.title && lhs.detail == rhs.detail && lhs.instance == rhs.instance
            && lhs.errors.elementsEqual(rhs.errors) { $0.field == $1.field && $0.message == $1.message }
    }

    /// The problem in `bytes`; nil when the body is not a JSON object with a `title` or `detail`.
    init?(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, let root = try? JSONDocument(parsing: bytes).root, root.kind == .object else {
            return nil
        }
        title = root["title"]?.string ?? ""
        detail = root["detail"]?.string ?? ""
        guard !title.isEmpty || !detail.isEmpty else { return nil }
        instance = root["instance"]?.string ?? ""
        errors = []
        if let items = root["errors"], items.kind == .array {
            for item in items.elements.prefix(5) {
                errors.append((item["field"]?.string ?? "", item["message"]?.string ?? ""))
            }
        }
    }

    /// `Member In Compliance State: j***@example.com is in a compliance state … (FNAME: Please
    /// enter a value)`, every part through `redactor`.
    func summary(_ redactor: RemoteTextRedactor) -> String {
        var text = redactor.clean(title.isEmpty ? "(no title)" : title, limit: 60)
        if !detail.isEmpty { text += ": " + redactor.clean(detail, limit: 200) }
        let fields = errors.map { error in
            error.field.isEmpty
                ? redactor.clean(error.message, limit: 80)
                : "\(redactor.clean(error.field, limit: 40)): \(redactor.clean(error.message, limit: 80))"
        }
        if !fields.isEmpty { text += " (" + fields.joined(separator: "; ") + ")" }
        return text
    }
}
