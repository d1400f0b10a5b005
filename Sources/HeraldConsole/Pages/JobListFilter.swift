import HeraldCore
import HeraldJobs

/// The filter of the queue and dead-letter pages: the store's `JobFilter` (route, action, age)
/// and a recipient (a job's ordering key: the address or identity its action serves), which
/// the console applies to the store's answer. Read from a query or a form; nonsense is a 400.
struct JobListFilter: Equatable {
    var store = JobFilter()
    var recipient: String?
    /// As typed, for the form and the links.
    var sinceText: String?

    static let maxFieldLength = 320

    init() {}

    init(_ form: FormData) throws(ConsoleError) {
        store.route = try Self.name(form.nonEmpty("route"), "route")
        store.action = try Self.name(form.nonEmpty("action"), "action")
        if let since = form.nonEmpty("since") {
            guard since.count <= 32, let duration = parseDuration(since), duration > .zero else {
                throw ConsoleError(400, "age '\(since)' is not a duration such as 30m, 2h or 7d")
            }
            store.since = duration
            sinceText = since
        }
        if let recipient = form.nonEmpty("recipient") {
            guard recipient.count <= Self.maxFieldLength, !recipient.contains(where: \.isNewline) else {
                throw ConsoleError(400, "a recipient is one address or identity id, at most 320 characters")
            }
            self.recipient = recipient.lowercased()
        }
    }

    var isEmpty: Bool { store.isEmpty && recipient == nil }

    /// Whether `stored` passes the console's own criterion (the store applied the rest).
    func matches(_ stored: StoredJob) -> Bool {
        guard let recipient else { return true }
        return stored.job?.orderingKey?.lowercased() == recipient
    }

    /// The filter as hidden form fields (for the confirmation of an action on all that match).
    var hiddenFields: String {
        fields.map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\(HTML.escape($0.1))\">" }.joined()
    }

    /// The filter as a query string (`route=…&since=…`), empty when there is none.
    var query: String {
        fields.map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
    }

    private var fields: [(String, String)] {
        var fields: [(String, String)] = []
        if let route = store.route { fields.append(("route", route)) }
        if let action = store.action { fields.append(("action", action)) }
        if let sinceText { fields.append(("since", sinceText)) }
        if let recipient { fields.append(("recipient", recipient)) }
        return fields
    }

    private static func name(_ value: String?, _ what: String) throws(ConsoleError) -> String? {
        guard let value else { return nil }
        guard value.count <= 200, !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw ConsoleError(400, "a \(what) name is at most 200 characters without control characters") }
        return value
    }
}
