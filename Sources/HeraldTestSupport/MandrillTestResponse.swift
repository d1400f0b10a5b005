import HeraldCore

/// An answer of the Mandrill test server.
package struct MandrillTestResponse: Sendable, Equatable {
    package var status: Int
    package var headers: [String: String]
    package var body: [UInt8]

    package init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer.
    package static func json(_ status: Int, _ value: JSON) -> MandrillTestResponse {
        MandrillTestResponse(status: status, headers: ["Content-Type": "application/json"], body: value.serialized())
    }

    /// Mandrill's error object: `{"status": "error", "code": …, "name": …, "message": …}`.
    package static func error(_ status: Int, code: Int64, name: String, message: String) -> MandrillTestResponse {
        json(status, ["status": "error", "code": .int(code), "name": .string(name), "message": .string(message)])
    }

    /// The body as text (lossy UTF-8).
    package var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, or nil.
    package var json: JSON? { try? JSONDocument(parsing: body).root.json }
}
