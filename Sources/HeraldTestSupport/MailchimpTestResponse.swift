import HeraldCore

/// An answer of the Mailchimp test server.
package struct MailchimpTestResponse: Sendable, Equatable {
    package var status: Int
    package var headers: [String: String]
    package var body: [UInt8]

    package init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer.
    package static func json(_ status: Int, _ value: JSON) -> MailchimpTestResponse {
        MailchimpTestResponse(
            status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: value.serialized())
    }

    /// Mailchimp's problem document (reference §8), with `X-Request-Id` equal to `instance`.
    ///
    /// ```swift
    /// .problem(400, "Member In Compliance State", "… cannot be subscribed.")
    /// ```
    package static func problem(
        _ status: Int, _ title: String, _ detail: String, errors: [(field: String, message: String)] = [],
        instance: String = MailchimpTestResponse.instanceID()
    ) -> MailchimpTestResponse {
        var object: JSONObject = [
            "type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": .string(title),
            "status": .int(Int64(status)), "detail": .string(detail), "instance": .string(instance),
        ]
        if !errors.isEmpty {
            object["errors"] = .array(errors.map { ["field": .string($0.field), "message": .string($0.message)] })
        }
        return MailchimpTestResponse(
            status: status,
            headers: ["Content-Type": "application/problem+json; charset=utf-8", "X-Request-Id": instance],
            body: JSON.object(object).serialized())
    }

    /// A fresh UUID-shaped request id.
    package static func instanceID() -> String {
        let digits = Array("0123456789abcdef")
        let text = String((0..<32).map { _ in digits[Int.random(in: 0..<16)] })
        let groups = [8, 4, 4, 4, 12]
        var parts: [String] = []
        var index = text.startIndex
        for count in groups {
            let end = text.index(index, offsetBy: count)
            parts.append(String(text[index..<end]))
            index = end
        }
        return parts.joined(separator: "-")
    }

    /// The body parsed as JSON, or nil.
    package var json: JSON? { try? JSONDocument(parsing: body).root.json }

    /// The body as text (lossy UTF-8).
    package var bodyText: String { String(decoding: body, as: UTF8.self) }
}
