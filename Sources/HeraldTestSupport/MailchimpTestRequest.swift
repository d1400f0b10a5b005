import HeraldCore

/// One request as the Mailchimp test server saw it, kept for assertions.
package struct MailchimpTestRequest: Sendable {
    package var method: String
    /// The path without the query, e.g. `/3.0/lists/a1b2c3d4e5/members/62ee…`.
    package var path: String
    /// The part after `?`, or nil.
    package var query: String?
    /// Header fields in the order received (names as sent; repeated fields kept).
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// When the server read the request.
    package var receivedAt: ContinuousClock.Instant = .now

    package init(
        method: String, path: String, query: String? = nil, headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The value of the query parameter `name`, or nil.
    package func queryParameter(_ name: String) -> String? {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    /// The body parsed as JSON, or nil when it is not JSON.
    package var json: JSON? {
        try? JSONDocument(parsing: body).root.json
    }
}
