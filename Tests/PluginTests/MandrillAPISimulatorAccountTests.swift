import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The read-only account calls `herald doctor` makes: requests checked against the OpenAPI
/// description like every other, answers shaped by its response schemas.
@Suite struct MandrillAPISimulatorAccountTests {
    func simulator() throws -> MandrillAPISimulator {
        var simulator = try MandrillAPISimulator(keys: ["k-1"], templates: ["welcome"])
        simulator.draftTemplates = ["draft"]
        simulator.domains = [
            MandrillSendingDomain("example.com"),
            MandrillSendingDomain("bad.example.com", verified: false, spfValid: false),
        ]
        simulator.webhooks = [
            MandrillWebhookRegistration(
                url: "https://herald.example.com/hook", events: ["spam"], lastError: "timed out")
        ]
        return simulator
    }

    func post(_ operation: String, _ body: JSON) throws -> MandrillTestResponse {
        try simulator().respond(
            to: MandrillTestRequest(
                method: "POST", path: "/api/1.0\(operation).json", headers: [("Content-Type", "application/json")],
                body: body.serialized()))
    }

    /// Checks `response` against the spec's schema for its status.
    func expectValid(_ response: MandrillTestResponse, _ operation: String) throws {
        let api = try MandrillOpenAPI.shared()
        let schema = try #require(api.responseSchema(operation: operation, status: response.status))
        #expect(api.validator.validate(try #require(response.json), against: schema) == [], "\(operation)")
    }

    @Test func sendingDomains() throws {
        let list = try post("/senders/domains", ["key": "k-1"])
        #expect(list.status == 200)
        try expectValid(list, "/senders/domains")
        #expect(list.json?.array?.compactMap { $0["domain"]?.string } == ["example.com", "bad.example.com"])
        let bad = try post("/senders/check-domain", ["key": "k-1", "domain": "BAD.example.com"])
        try expectValid(bad, "/senders/check-domain")
        #expect(bad.json?["verified_at"] == nil)
        #expect(bad.json?["spf"]?["valid"] == false)
        #expect(bad.json?["dkim"]?["valid"] == true)
        let good = try post("/senders/check-domain", ["key": "k-1", "domain": "example.com"])
        #expect(good.json?["verified_at"]?.string != nil)
        // The domain is required, and nothing but it and the key is accepted.
        #expect(try post("/senders/check-domain", ["key": "k-1"]).json?["name"] == "ValidationError")
        #expect(
            try post("/senders/check-domain", ["key": "k-1", "domain": "example.com", "verify": true]).status == 400)
        #expect(try post("/senders/domains", ["key": "nope"]).json?["name"] == "Invalid_Key")
    }

    @Test func templatesPublishedDraftAndUnknown() throws {
        let published = try post("/templates/info", ["key": "k-1", "name": "welcome"])
        try expectValid(published, "/templates/info")
        #expect(published.json?["published_at"]?.string != nil)
        let draft = try post("/templates/info", ["key": "k-1", "name": "draft"])
        try expectValid(draft, "/templates/info")
        #expect(draft.json?["published_at"] == .null)
        let unknown = try post("/templates/info", ["key": "k-1", "name": "nope"])
        #expect(unknown.status == 404)
        try expectValid(unknown, "/templates/info")
        #expect(unknown.json?["name"] == "Unknown_Template")
        #expect(try post("/templates/info", ["key": "k-1", "slug": "welcome"]).status == 400)
    }

    @Test func webhooks() throws {
        let list = try post("/webhooks/list", ["key": "k-1"])
        try expectValid(list, "/webhooks/list")
        let webhook = try #require(list.json?[0])
        #expect(webhook["url"] == "https://herald.example.com/hook")
        #expect(webhook["events"] == ["spam"])
        #expect(webhook["last_error"] == "timed out")
        // `pattern` is beyond the validator; these are the spec's patterns, checked here.
        let created = try #require(webhook["created_at"]?.string)
        #expect(created.wholeMatch(of: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+/) != nil)
        let sent = try #require(webhook["last_sent_at"]?.string)
        #expect(sent.wholeMatch(of: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/) != nil)
        #expect(try post("/webhooks/list", ["key": "k-1", "url": "x"]).status == 400)
    }
}
