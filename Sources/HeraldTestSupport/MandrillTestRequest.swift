import HeraldCore

/// One request as the Mandrill test server saw it, kept for assertions.
package struct MandrillTestRequest: Sendable {
    package var method: String
    /// The path without the query, e.g. `/api/1.0/messages/send.json`.
    package var path: String
    /// Header fields in the order received (names as sent; repeated fields kept).
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// When the server read the request (for tests that check the time between attempts).
    package var receivedAt: ContinuousClock.Instant = .now

    package init(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body parsed as JSON, or nil when it is not JSON.
    package var json: JSON? {
        try? JSONDocument(parsing: body).root.json
    }

    /// The body as text (lossy UTF-8).
    package var bodyText: String { String(decoding: body, as: UTF8.self) }
}
