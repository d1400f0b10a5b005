import Foundation
import HeraldCore

/// Answers Mailchimp Marketing API 3.0 member requests the way the real service does
/// (reference/mailchimp-marketing.md §11), keeping audiences and members as state.
///
/// Handled below `/3.0`: `GET /ping`; `GET|POST /lists/{id}/members`; `GET|PUT|PATCH|DELETE
/// /lists/{id}/members/{hash}`; `GET|POST …/{hash}/tags`; `POST …/{hash}/actions/delete-permanent`;
/// `GET /lists/{id}/merge-fields` (`count` at most 1000); `GET /lists/{id}`. Order of checks: credentials (401 `API Key Missing`, `API Key
/// Invalid`, also for a key of another data center), path (404), audience (404), method (405), JSON
/// (400 `JSON Parse Error`), the OpenAPI request schema with unknown fields refused (400 `Invalid
/// Resource` with `errors[]`), then the member rules: the path hash must be the MD5 of the
/// lower-cased `email_address` (400 `Member Exists` when that address is on the list), permanently
/// deleted addresses stay out (400 `Forgotten Email Not Subscribed`), unsubscribed or cleaned
/// members cannot be set to `subscribed` (400 `Member In Compliance State`), merge fields must exist
/// and fit their type, and required ones must be present for a new member unless
/// `skip_merge_validation=true` (400 `Invalid Resource`). Every answer carries `X-Request-Id`.
package struct MailchimpAPISimulator: Sendable {
    /// The account's API key (`…-us21`); its suffix is this server's data center.
    package var apiKey: String
    /// OAuth access tokens accepted as `Authorization: Bearer`.
    package var accessTokens: Set<String>
    /// By `list_id`.
    package var audiences: [String: MailchimpAudience]
    package let api: MailchimpOpenAPI

    package init(
        apiKey: String, audiences: [String: MailchimpAudience] = [:], accessTokens: Set<String> = [],
        api: MailchimpOpenAPI? = nil
    ) throws(ReferenceFileError) {
        self.apiKey = apiKey
        self.audiences = audiences
        self.accessTokens = accessTokens
        if let api {
            self.api = api
        } else {
            self.api = try MailchimpOpenAPI.shared()
        }
    }

    /// The member id Mailchimp uses: the lower-case hex MD5 of the lower-cased address.
    package static func subscriberHash(_ email: String) -> String {
        MD5.hexDigest(Array(email.lowercased().utf8))
    }

    /// The member with `email` on audience `list`, if any.
    package func member(_ email: String, in list: String) -> MailchimpAudience.Member? {
        audiences[list]?.members[Self.subscriberHash(email)]
    }

    static let notFound = "The requested resource could not be found."

    /// The answer to `request`, applying it when it changes something.
    package mutating func respond(to request: MailchimpTestRequest) -> MailchimpTestResponse {
        if let refusal = authenticate(request) { return refusal }
        guard request.path.hasPrefix("/3.0/") else { return .problem(404, "Resource Not Found", Self.notFound) }
        let segments = request.path.dropFirst("/3.0/".count).split(separator: "/", omittingEmptySubsequences: false)
            .map(String.init)
        if segments == ["ping"] {
            guard request.method == "GET" else { return methodNotAllowed(request) }
            return .json(200, ["health_status": "Everything's Chimpy!"])
        }
        if segments.count == 2, segments[0] == "lists", !segments[1].isEmpty {
            guard audiences[segments[1]] != nil else { return .problem(404, "Resource Not Found", Self.notFound) }
            guard request.method == "GET" else { return methodNotAllowed(request) }
            return audience(segments[1])
        }
        guard segments.count >= 3, segments[0] == "lists" else {
            return .problem(404, "Resource Not Found", Self.notFound)
        }
        let list = segments[1]
        let rest = Array(segments.dropFirst(2))
        let allowed: [String]
        switch rest.count {
        case 1 where rest[0] == "members": allowed = ["GET", "POST"]
        case 1 where rest[0] == "merge-fields": allowed = ["GET"]
        case 2 where rest[0] == "members" && !rest[1].isEmpty: allowed = ["GET", "PUT", "PATCH", "DELETE"]
        case 3 where rest[0] == "members" && rest[2] == "tags": allowed = ["GET", "POST"]
        case 4 where rest[0] == "members" && rest[2] == "actions" && rest[3] == "delete-permanent": allowed = ["POST"]
        default: return .problem(404, "Resource Not Found", Self.notFound)
        }
        guard audiences[list] != nil else { return .problem(404, "Resource Not Found", Self.notFound) }
        guard allowed.contains(request.method) else { return methodNotAllowed(request) }

        var body: JSON = .null
        if ["PUT", "PATCH", "POST"].contains(request.method), rest.count != 4 {
            guard let parsed = request.json, parsed.object != nil else {
                return .problem(
                    400, "JSON Parse Error", "We encountered an unspecified JSON parsing error.")
            }
            let template =
                "/lists/{list_id}/" + (rest.count == 1 ? "members" : "members/{subscriber_hash}")
                + (rest.count == 3 ? "/tags" : "")
            let violations = api.validateRequest(parsed, path: template, method: request.method.lowercased())
            if !violations.isEmpty { return Self.invalidResource(violations) }
            body = parsed
        }
        switch (rest.count, request.method) {
        case (1, "GET") where rest[0] == "merge-fields":
            return mergeFields(list, count: request.queryParameter("count"))
        case (1, "GET"): return members(list)
        case (1, _): return create(body, list: list, request: request)
        case (2, "GET"): return read(rest[1], list: list)
        case (2, "PUT"): return upsert(body, hash: rest[1], list: list, request: request)
        case (2, "PATCH"): return update(body, hash: rest[1], list: list)
        case (2, _): return archive(rest[1], list: list)
        case (3, "GET"): return tags(rest[1], list: list)
        case (3, _): return changeTags(body, hash: rest[1], list: list)
        default: return deletePermanently(rest[1], list: list)
        }
    }

    /// Nil when the request carries this account's credentials.
    private func authenticate(_ request: MailchimpTestRequest) -> MailchimpTestResponse? {
        guard let value = request.header("Authorization")?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return .problem(
                401, "API Key Missing",
                "Your request did not include an API key. Please include it as the password of HTTP Basic "
                    + "authentication.")
        }
        let invalid = MailchimpTestResponse.problem(
            401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter.")
        let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return invalid }
        switch parts[0].lowercased() {
        case "basic":
            guard let decoded = Data(base64Encoded: parts[1]).map({ String(decoding: $0, as: UTF8.self) }),
                let colon = decoded.firstIndex(of: ":")
            else { return invalid }
            // Any user name; the password is the key, which also names the data center.
            return decoded[decoded.index(after: colon)...] == apiKey ? nil : invalid
        case "bearer":
            return accessTokens.contains(parts[1]) ? nil : invalid
        default:
            return invalid
        }
    }

    private func methodNotAllowed(_ request: MailchimpTestRequest) -> MailchimpTestResponse {
        .problem(
            405, "Method Not Allowed",
            "The requested method and resource are not compatible. See the Allow header "
                + "for this resource's available methods.")
    }

    static func invalidResource(_ violations: [SchemaViolation]) -> MailchimpTestResponse {
        .problem(
            400, "Invalid Resource",
            "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
            errors: violations.prefix(5).map { (field: $0.path, message: $0.message) })
    }

    static func memberJSON(_ member: MailchimpAudience.Member, list: String) -> JSON {
        let hash = subscriberHash(member.email)
        return [
            "id": .string(hash), "email_address": .string(member.email),
            "unique_email_id": .string(String(hash.prefix(10))),
            "status": .string(member.status), "merge_fields": .object(member.mergeFields),
            "language": .string(member.language ?? ""), "tags_count": .int(Int64(member.tags.count)),
            "tags": .array(
                member.tags.enumerated().map { ["id": .int(Int64($0.offset + 1)), "name": .string($0.element)] }),
            "list_id": .string(list),
        ]
    }
}
