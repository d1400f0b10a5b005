import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `GET /lists/{id}` and `GET /lists/{id}/merge-fields`, as `herald doctor` asks them: answers
/// shaped by the OpenAPI subset's response schemas.
@Suite struct MailchimpAPISimulatorListTests {
    static let key = "0123456789abcdef0123456789abcdef-us21"

    func get(_ path: String, query: String? = nil) throws -> MailchimpTestResponse {
        var simulator = try MailchimpAPISimulator(apiKey: Self.key, audiences: ["a1b2c3d4e5": MailchimpAudience()])
        let authorization = "Basic " + Data("herald:\(Self.key)".utf8).base64EncodedString()
        return simulator.respond(
            to: MailchimpTestRequest(
                method: "GET", path: "/3.0" + path, query: query, headers: [("Authorization", authorization)]))
    }

    func expectValid(_ response: MailchimpTestResponse, _ path: String) throws {
        let api = try MailchimpOpenAPI.shared()
        let schema = try #require(api.responseSchema(path: path, method: "get", status: response.status))
        #expect(api.validator.validate(try #require(response.json), against: schema) == [], "\(path)")
    }

    @Test func anAudience() throws {
        let list = try get("/lists/a1b2c3d4e5")
        #expect(list.status == 200)
        try expectValid(list, "/lists/{list_id}")
        #expect(list.json?["id"] == "a1b2c3d4e5")
        #expect(list.json?["name"] == "Herald test audience")
        let missing = try get("/lists/f0e1d2c3b4")
        #expect(missing.status == 404)
        try expectValid(missing, "/lists/{list_id}")
    }

    @Test func mergeFieldsUpToAThousandAtATime() throws {
        let fields = try get("/lists/a1b2c3d4e5/merge-fields", query: "count=1000")
        try expectValid(fields, "/lists/{list_id}/merge-fields")
        #expect(
            fields.json?["merge_fields"]?.array?.compactMap { $0["tag"]?.string } == [
                "FNAME", "LNAME", "ADDRESS", "PHONE",
            ])
        #expect(try get("/lists/a1b2c3d4e5/merge-fields", query: "count=2").json?["merge_fields"]?.array?.count == 2)
        #expect(try get("/lists/a1b2c3d4e5/merge-fields", query: "count=1001").status == 400)
        #expect(try get("/lists/a1b2c3d4e5/merge-fields").json?["total_items"] == 4)
    }
}
