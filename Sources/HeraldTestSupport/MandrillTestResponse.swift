import HeraldCore

/// An answer of the Mandrill test server.
public struct MandrillTestResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer.
    public static func json(_ status: Int, _ value: JSON) -> MandrillTestResponse {
        MandrillTestResponse(status: status, headers: ["Content-Type": "application/json"], body: value.serialized())
    }

    /// Mandrill's error object: `{"status": "error", "code": …, "name": …, "message": …}`.
    public static func error(_ status: Int, code: Int64, name: String, message: String) -> MandrillTestResponse {
        json(status, ["status": "error", "code": .int(code), "name": .string(name), "message": .string(message)])
    }

    /// The body as text (lossy UTF-8).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, or nil.
    public var json: JSON? { try? JSONDocument(parsing: body).root.json }
}
