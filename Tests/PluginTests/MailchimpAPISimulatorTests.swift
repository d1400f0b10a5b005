import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The Mailchimp test server refuses what the real API refuses (reference §11), so a test that
/// passes against it means a request Mailchimp would take.
@Suite struct MailchimpAPISimulatorTests {
    static let key = "0123456789abcdef0123456789abcdef-us21"
    static let list = "a1b2c3d4e5"
    static let jane = "jane.doe@example.com"
    static let janeHash = "0cba00ca3da1b283a57287bcceb17e35"

    func simulator(_ audience: MailchimpAudience = MailchimpAudience()) throws -> MailchimpAPISimulator {
        try MailchimpAPISimulator(apiKey: Self.key, audiences: [Self.list: audience], accessTokens: ["oauth-token-1"])
    }

    func request(
        _ method: String, _ path: String, _ body: JSON? = nil, query: String? = nil,
        authorization: String? = "Basic " + Data("anystring:\(key)".utf8).base64EncodedString()
    ) -> MailchimpTestRequest {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let authorization { headers.append(("Authorization", authorization)) }
        return MailchimpTestRequest(
            method: method, path: "/3.0" + path, query: query, headers: headers, body: body?.serialized() ?? [])
    }

    var member: String { "/lists/\(Self.list)/members/\(Self.janeHash)" }

    func title(_ response: MailchimpTestResponse) -> String? { response.json?["title"]?.string }

    @Test func credentials() throws {
        var api = try simulator()
        #expect(api.respond(to: request("GET", "/ping")).status == 200)
        #expect(title(api.respond(to: request("GET", "/ping", authorization: nil))) == "API Key Missing")
        let wrong = api.respond(
            to: request("GET", "/ping", authorization: "Basic " + Data("u:other-us21".utf8).base64EncodedString()))
        #expect(wrong.status == 401 && title(wrong) == "API Key Invalid")
        // The same key for another data center is not this server's key.
        let otherCenter = "0123456789abcdef0123456789abcdef-us6"
        let elsewhere = api.respond(
            to: request("GET", "/ping", authorization: "Basic " + Data("u:\(otherCenter)".utf8).base64EncodedString()))
        #expect(elsewhere.json?["detail"]?.string?.contains("wrong datacenter") == true)
        #expect(api.respond(to: request("GET", "/ping", authorization: "Bearer oauth-token-1")).status == 200)
        #expect(api.respond(to: request("GET", "/ping", authorization: "Bearer \(Self.key)x")).status == 401)
        // Every answer carries the request id that the problem's instance repeats.
        let id = try #require(wrong.headers["X-Request-Id"])
        #expect(wrong.json?["instance"]?.string == id)
        #expect(wrong.headers["Content-Type"] == "application/problem+json; charset=utf-8")
    }

    @Test func pathsAudiencesAndVerbs() throws {
        var api = try simulator()
        #expect(title(api.respond(to: request("GET", "/lists/nope/members/\(Self.janeHash)"))) == "Resource Not Found")
        #expect(title(api.respond(to: request("GET", "/campaigns"))) == "Resource Not Found")
        #expect(title(api.respond(to: request("PUT", "/lists/\(Self.list)/members", [:]))) == "Method Not Allowed")
        #expect(title(api.respond(to: request("GET", member))) == "Resource Not Found")
        let broken = MailchimpTestRequest(
            method: "PUT", path: "/3.0" + member, headers: request("GET", "/ping").headers, body: Array("{".utf8))
        #expect(title(api.respond(to: broken)) == "JSON Parse Error")
    }

    @Test func unknownFieldsAndValuesOutsideTheSchemaAreRefused() throws {
        var api = try simulator()
        let typo = api.respond(
            to: request(
                "PUT", member, ["email_address": .string(Self.jane), "status_if_new": "pending", "stauts": "x"]))
        #expect(typo.status == 400 && title(typo) == "Invalid Resource")
        #expect(typo.json?["errors"]?[0]?["field"]?.string == "stauts")
        // Tags on PUT exist only in the 2026 spec; the 3.0.76 description (and so this server) refuses them.
        let tags = api.respond(
            to: request(
                "PUT", member, ["email_address": .string(Self.jane), "status_if_new": "pending", "tags": ["a"]]))
        #expect(title(tags) == "Invalid Resource")
        let archived = api.respond(
            to: request("PUT", member, ["email_address": .string(Self.jane), "status_if_new": "archived"]))
        #expect(title(archived) == "Invalid Resource")
        let missing = api.respond(to: request("PUT", member, ["email_address": .string(Self.jane)]))
        #expect(title(missing) == "Invalid Resource")
        let badTag = api.respond(to: request("POST", member + "/tags", ["tags": [["name": "x", "status": "on"]]]))
        #expect(title(badTag) == "Invalid Resource")
        #expect(api.member(Self.jane, in: Self.list) == nil)
    }

    @Test func theHashMustBeTheMD5OfTheLowerCasedAddress() throws {
        var api = try simulator(MailchimpAudience(members: [.init(email: Self.jane, status: "subscribed")]))
        // The hash of the address as written, not lower-cased: the real API then finds the member
        // already on the list.
        let upper = MD5.hexDigest(Array("Jane.Doe@example.com".utf8))
        let response = api.respond(
            to: request(
                "PUT", "/lists/\(Self.list)/members/\(upper)",
                ["email_address": "Jane.Doe@example.com", "status_if_new": "subscribed"]))
        #expect(response.status == 400 && title(response) == "Member Exists")
        let stranger = api.respond(
            to: request("PUT", member, ["email_address": "someone@example.com", "status_if_new": "subscribed"]))
        #expect(title(stranger) == "Invalid Resource")
        let right = api.respond(
            to: request("PUT", member, ["email_address": "Jane.Doe@example.com", "status_if_new": "subscribed"]))
        #expect(right.status == 200 && right.json?["id"]?.string == Self.janeHash)
    }

    @Test func complianceStates() throws {
        var api = try simulator(MailchimpAudience(members: [.init(email: Self.jane, status: "unsubscribed")]))
        let onlyIfNew = api.respond(
            to: request("PUT", member, ["email_address": .string(Self.jane), "status_if_new": "subscribed"]))
        #expect(onlyIfNew.json?["status"] == "unsubscribed")
        let resubscribe = api.respond(
            to: request(
                "PUT", member,
                ["email_address": .string(Self.jane), "status_if_new": "subscribed", "status": "subscribed"]))
        #expect(resubscribe.status == 400 && title(resubscribe) == "Member In Compliance State")
        #expect(resubscribe.json?["detail"]?.string?.hasPrefix("\(Self.jane) is in a compliance state") == true)
        let pending = api.respond(to: request("PATCH", member, ["status": "pending"]))
        #expect(pending.json?["status"] == "pending")

        #expect(api.respond(to: request("POST", member + "/actions/delete-permanent")).status == 204)
        #expect(api.respond(to: request("GET", member)).status == 404)
        let back = api.respond(
            to: request("PUT", member, ["email_address": .string(Self.jane), "status_if_new": "subscribed"]))
        #expect(title(back) == "Forgotten Email Not Subscribed")
        let create = api.respond(
            to: request(
                "POST", "/lists/\(Self.list)/members", ["email_address": .string(Self.jane), "status": "pending"]))
        #expect(title(create) == "Forgotten Email Not Subscribed")
    }

    @Test func archiveAndRestore() throws {
        var api = try simulator(MailchimpAudience(members: [.init(email: Self.jane, status: "subscribed")]))
        let archived = api.respond(to: request("DELETE", member))
        #expect(archived.status == 204 && archived.body.isEmpty)
        #expect(api.respond(to: request("GET", member)).json?["status"] == "archived")
        #expect(api.respond(to: request("DELETE", member)).status == 404)
        let kept = api.respond(
            to: request("PUT", member, ["email_address": .string(Self.jane), "status_if_new": "subscribed"]))
        #expect(kept.json?["status"] == "archived")
        let restored = api.respond(
            to: request(
                "PUT", member,
                ["email_address": .string(Self.jane), "status_if_new": "subscribed", "status": "pending"]))
        #expect(restored.json?["status"] == "pending")
    }

    @Test func mergeFields() throws {
        let audience = MailchimpAudience(mergeFields: [
            .init(tag: "FNAME"), .init(tag: "PLAN", required: true), .init(tag: "LTV", type: "number"),
            .init(tag: "ADDRESS", type: "address"),
        ])
        var api = try simulator(audience)
        func put(_ fields: JSON, query: String? = nil) -> MailchimpTestResponse {
            api.respond(
                to: request(
                    "PUT", member,
                    ["email_address": .string(Self.jane), "status_if_new": "pending", "merge_fields": fields],
                    query: query))
        }
        let required = put(["FNAME": "Jane"])
        #expect(required.json?["errors"] == [["field": "PLAN", "message": "Please enter a value"]])
        #expect(title(put(["PLAN": "pro", "NICK": "J"])) == "Invalid Resource")
        #expect(
            put(["PLAN": "pro", "LTV": "lots"]).json?["errors"] == [
                ["field": "LTV", "message": "Please enter a number"]
            ])
        #expect(title(put(["PLAN": "pro", "ADDRESS": ["addr1": "1 Main St", "city": "X"]])) == "Invalid Resource")
        #expect(put(["FNAME": "Jane"], query: "skip_merge_validation=true").status == 200)
        #expect(
            put(["LTV": "12.5", "ADDRESS": ["addr1": "1 Main St", "city": "X", "state": "Y", "zip": "1"]]).status == 200
        )
        #expect(api.member(Self.jane, in: Self.list)?.mergeFields["LTV"] == "12.5")
    }

    @Test func tagsAreAddedAndRemoved() throws {
        var api = try simulator(
            MailchimpAudience(members: [.init(email: Self.jane, status: "subscribed", tags: ["old"])]))
        let response = api.respond(
            to: request(
                "POST", member + "/tags",
                ["tags": [["name": "new", "status": "active"], ["name": "old", "status": "inactive"]]]))
        #expect(response.status == 204 && response.body.isEmpty)
        #expect(api.member(Self.jane, in: Self.list)?.tags == ["new"])
        let unknown = api.respond(
            to: request(
                "POST", "/lists/\(Self.list)/members/\(MD5.hexDigest(Array("x@example.com".utf8)))/tags",
                ["tags": [["name": "new", "status": "active"]]]))
        #expect(unknown.status == 404)
    }
}
