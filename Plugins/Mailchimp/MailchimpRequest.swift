import HeraldCore

/// One call to the Marketing API as a job stores it: method, path below the base URL, optional
/// query and JSON body; no credentials (they are added when performing).
///
/// ```json
/// {"method": "PUT", "path": "/lists/a1b2c3d4e5/members/0cba00ca3da1b283a57287bcceb17e35",
///  "body": {"email_address": "jane.doe@example.com", "status_if_new": "pending"}}
/// ```
struct MailchimpRequest: Sendable, Equatable {
    static let methods: Set<String> = ["PUT", "PATCH", "POST", "DELETE"]

    var method: String
    /// Starts with `/`; relative to the base URL (`…/3.0`).
    var path: String
    /// Without `?`, or nil.
    var query: String?
    var body: JSON?

    var json: JSON {
        var object: JSONObject = ["method": .string(method), "path": .string(path)]
        if let query { object["query"] = .string(query) }
        if let body { object["body"] = body }
        return .object(object)
    }

    /// The request stored as `json`, or nil when it is anything else. Only paths made of plain
    /// segments are accepted, so a payload cannot point the key at another host or resource kind.
    init?(_ json: JSON) {
        guard let method = json["method"]?.string, Self.methods.contains(method), let path = json["path"]?.string,
            path.hasPrefix("/lists/"),
            path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).allSatisfy({ segment in
                !segment.isEmpty && segment != ".." && segment != "."
                    && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
            })
        else { return nil }
        self.method = method
        self.path = path
        query = json["query"]?.string
        body = json["body"]
    }

    init(method: String, path: String, query: String? = nil, body: JSON? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }

    /// What a log line or reason calls it: `PUT member`, `POST tags`.
    var label: String {
        if path.hasSuffix("/tags") { return "\(method) tags" }
        return "\(method) member"
    }
}

/// A job's payload made ready to send.
struct MailchimpJob: Sendable {
    let operation: MailchimpOperation
    /// The member's address (for masked notes).
    let email: String
    let requests: [MailchimpRequest]

    /// Why a payload cannot be sent; such a job fails without calling Mailchimp.
    struct Rejection: Error, Sendable {
        let reason: String
    }

    /// - Throws: `Rejection` when the payload is not a Mailchimp job.
    static func prepare(_ job: Job) throws(Rejection) -> MailchimpJob {
        guard let name = job.payload["operation"]?.string, let operation = MailchimpOperation(rawValue: name),
            let items = job.payload["requests"]?.array, !items.isEmpty
        else { throw Rejection(reason: "the job payload is not a Mailchimp request") }
        var requests: [MailchimpRequest] = []
        for item in items {
            guard let request = MailchimpRequest(item) else {
                throw Rejection(reason: "the job payload holds a request Herald does not make")
            }
            requests.append(request)
        }
        return MailchimpJob(operation: operation, email: job.payload["email"]?.string ?? "", requests: requests)
    }
}
