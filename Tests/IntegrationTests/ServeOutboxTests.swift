import Foundation
import HeraldTestSupport
import Testing

/// Drives the real binary: a Kratos web hook becomes an .eml in the outbox.
@Suite struct ServeOutboxTests {
    @Test func registrationBecomesAnEmailInTheOutbox() async throws {
        let (herald, address) = try await Integration.serve(Integration.outboxConfig())
        let client = try RawHTTPClient(address: address)
        let response = try client.request(
            "POST", "/v1/events/registration/after",
            headers: [("Content-Type", "application/json"), ("Ory-Webhook-Trigger-ID", "3c8a-trigger")],
            body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        let body = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(body?["event"] as? String == "registration.after")
        #expect(body?["jobs"] as? Int == 1)
        #expect(body?["routes"] as? [String] == ["welcome"])
        #expect(body?["duplicate"] as? Bool == false)
        let eventID = try #require(body?["event_id"] as? String)
        #expect(eventID.count == 36)

        let outbox = herald.directory.appendingPathComponent("outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        let eml = try String(
            contentsOf: try #require(Integration.files(in: outbox, suffix: ".eml").first), encoding: .utf8)
        #expect(eml.contains("To: jane.doe@example.com\r\n"))
        #expect(eml.contains("From: Example <hello@example.com>\r\n"))
        #expect(eml.contains("Subject: Welcome, Jane\r\n"))
        #expect(eml.contains("Content-Type: multipart/alternative"))
        #expect(eml.contains("<p>Hi Jane &amp; welcome</p>"))
        #expect(eml.contains("X-Herald-Event: registration.after \(eventID)"))
        let sidecarURL = try #require(Integration.files(in: outbox, suffix: ".json").first)
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: sidecarURL)) as? [String: Any]
        #expect(sidecar?["route"] as? String == "welcome")
        #expect(sidecar?["event_id"] as? String == eventID)

        // The log has one line for the event and one for the delivery, without the address.
        try await herald.waitForLog("msg=\"job delivered\"")
        #expect(
            herald.output.contains(
                "msg=\"event accepted\" event=registration.after event_id=\(eventID) trigger_id=3c8a-trigger"))
        #expect(!herald.output.contains("jane.doe@example.com"))
        #expect(try await herald.stop() == 0)
    }

    @Test func noMatchingRouteIsStillAccepted() async throws {
        let (herald, address) = try await Integration.serve(Integration.outboxConfig())
        let client = try RawHTTPClient(address: address)
        let response = try client.request(
            "POST", "/v1/events/verification/after", body: try Integration.example("verification-after.json"))
        #expect(response.status == 202)
        #expect(response.text.contains(#""jobs":0,"routes":[]"#))
        try await herald.waitForLog("no route matched")
        try await herald.stop()
    }

    @Test func envelopeAndCourierPathsAreAccepted() async throws {
        let (herald, address) = try await Integration.serve(Integration.outboxConfig())
        let client = try RawHTTPClient(address: address)
        let login = String(decoding: try Integration.example("login-after.json"), as: UTF8.self)
        let envelope = #"{"event": "login.after", "ctx": "# + login + "}"
        let response = try client.request("POST", "/v1/events", body: Array(envelope.utf8))
        #expect(response.status == 202)
        #expect(response.text.contains(#""event":"login.after","jobs":1,"routes":["sign-in"]"#))
        let courier = try client.request(
            "POST", "/v1/courier", body: try Integration.example("courier-http-verification_code_valid.json"))
        #expect(courier.status == 202)
        #expect(courier.text.contains(#""event":"courier.verification_code_valid""#))
        let outbox = herald.directory.appendingPathComponent("outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        let eml = try String(
            contentsOf: try #require(Integration.files(in: outbox, suffix: ".eml").first), encoding: .utf8)
        #expect(eml.contains("Subject: New sign-in (password)"))
        try await herald.stop()
    }

    @Test func healthAndReadiness() async throws {
        let (herald, address) = try await Integration.serve(Integration.outboxConfig())
        let client = try RawHTTPClient(address: address)
        #expect(try client.request("GET", "/healthz").text == "ok\n")
        #expect(try client.request("GET", "/readyz").status == 200)
        #expect(try client.request("DELETE", "/healthz").status == 405)
        try await herald.stop()
    }

    @Test func sigtermStopsGracefully() async throws {
        let (herald, _) = try await Integration.serve(Integration.outboxConfig())
        #expect(try await herald.stop() == 0)
        #expect(herald.output.contains("msg=stopped"))
    }
}
