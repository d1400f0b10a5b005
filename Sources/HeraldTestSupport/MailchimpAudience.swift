import HeraldCore

/// One audience (list) of the Mailchimp test server: its merge fields and members.
package struct MailchimpAudience: Sendable {
    /// A merge field definition (reference §7).
    package struct MergeField: Sendable, Hashable {
        package var tag: String
        /// `text`, `number`, `address`, `phone`, `date`, …
        package var type: String
        package var required: Bool

        package init(tag: String, type: String = "text", required: Bool = false) {
            self.tag = tag
            self.type = type
            self.required = required
        }
    }

    /// A contact on the audience.
    package struct Member: Sendable, Equatable {
        package var email: String
        /// `subscribed`, `unsubscribed`, `cleaned`, `pending`, `transactional` or `archived`.
        package var status: String
        package var mergeFields: JSONObject
        package var language: String?
        /// Active tags, in the order they were added.
        package var tags: [String]

        package init(
            email: String, status: String, mergeFields: JSONObject = [:], language: String? = nil, tags: [String] = []
        ) {
            self.email = email
            self.status = status
            self.mergeFields = mergeFields
            self.language = language
            self.tags = tags
        }
    }

    /// The audience's name, as `GET /lists/{id}` shows it.
    package var name = "Herald test audience"
    package var mergeFields: [MergeField]
    /// By subscriber hash.
    package var members: [String: Member]
    /// Hashes of permanently deleted contacts: never re-added through the API.
    package var forgotten: Set<String>

    /// A new audience has `FNAME`, `LNAME`, `ADDRESS` and `PHONE` (none required), as Mailchimp
    /// creates them (reference §7).
    package init(
        mergeFields: [MergeField] = MailchimpAudience.defaultMergeFields, members: [Member] = [],
        forgotten: [String] = []
    ) {
        self.mergeFields = mergeFields
        self.members = Dictionary(
            members.map { (MailchimpAPISimulator.subscriberHash($0.email), $0) }, uniquingKeysWith: { $1 })
        self.forgotten = Set(forgotten.map(MailchimpAPISimulator.subscriberHash))
    }

    package static let defaultMergeFields = [
        MergeField(tag: "FNAME"), MergeField(tag: "LNAME"), MergeField(tag: "ADDRESS", type: "address"),
        MergeField(tag: "PHONE", type: "phone"),
    ]

    /// Why `fields` cannot be stored, as Mailchimp's `errors[]`; `complete` also asks for every
    /// required field (a new member without `skip_merge_validation`).
    func mergeFieldErrors(_ fields: JSONObject, complete: Bool) -> [(field: String, message: String)] {
        var errors: [(field: String, message: String)] = []
        for (tag, value) in fields {
            guard let definition = mergeFields.first(where: { $0.tag == tag }) else {
                errors.append((tag, "This merge field does not exist."))
                continue
            }
            switch definition.type {
            case "number":
                let numeric = value.int != nil || value.double != nil || value.string.map { Double($0) != nil } == true
                if !numeric { errors.append((tag, "Please enter a number")) }
            case "address":
                let parts = ["addr1", "city", "state", "zip"]
                let complete = value.object.map { object in
                    parts.allSatisfy { !(object[$0]?.string ?? "").isEmpty }
                }
                if complete != true && value != .string("") {
                    errors.append((tag, "Please enter a complete address (addr1, city, state and zip)"))
                }
            default:
                if value.string == nil && value.int == nil && value.double == nil {
                    errors.append((tag, "Please enter a value"))
                }
            }
        }
        if complete {
            for definition in mergeFields where definition.required {
                let value = fields[definition.tag]
                if value == nil || value == .string("") { errors.append((definition.tag, "Please enter a value")) }
            }
        }
        return errors
    }
}
