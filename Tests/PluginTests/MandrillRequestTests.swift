import HeraldCore
import HeraldTestSupport
import Testing

@testable import MandrillPlugin

/// Request bodies built from real Kratos payloads, checked against the official OpenAPI schemas.
@Suite struct MandrillRequestTests {
    static let config = """
        actions:
          mail:
            plugin: mandrill
            api_key: "${env:MANDRILL_API_KEY}"
            from: {email: hello@example.com, name: Example}
            reply_to: support@example.com
            tags: [herald]
            track_opens: true
            important: false
            view_content_link: false
            merge_language: handlebars
            metadata: {service: auth}
            subaccount: tenant-1
            ip_pool: Main Pool
        routes:
          - name: welcome
            events: [registration.after]
            do:
              - action: mail
                template: "welcome-{{event.locale | default: 'en'}}"
                to: {email: "{{recipient}}", name: "{{identity.traits.name.first}} {{identity.traits.name.last}}"}
                bcc: audit@example.com
                vars: {FNAME: "{{identity.traits.name.first | default: 'there'}}"}
                tags: [welcome]
                metadata: {flow: "{{flow.id}}"}
          - name: new-login
            events: [login.after]
            do:
              - action: mail
                to: "{{recipient}}"
                cc: "{{identity.traits.manager_email}}"
                subject: "New sign-in to your account"
                html: "<p>Hello {{identity.traits.name.first}}, a sign-in from {{session.devices[0].ip_address | default: 'unknown'}}.</p>"
                text: "Hello {{identity.traits.name.first}}"
                headers: {X-Herald-Route: new-login}
                send_at: "2030-01-02 03:04:05"
          - name: verification
            events: [courier.verification_code_valid]
            do:
              - action: mail
                to: "{{recipient}}"
                subject: "{{subject}}"
                html: "{{{html_body}}}"
                text: "{{{body}}}"
        """
    static let env = ["MANDRILL_API_KEY": "md-secret-0123456789"]

    func request(route: String, payload: String, event: String) throws -> MandrillRequest {
        let harness = PluginHarness(Self.config, env: Self.env)
        #expect(harness.messages == [])
        let job = try #require(harness.job(route, event: try ReferenceFiles.kratosEvent(payload, name: event)))
        return try MandrillRequest.prepare(job, apiKey: "md-secret-0123456789")
    }

    @Test(arguments: [
        ("welcome", "registration-after", "registration.after", "/messages/send-template"),
        ("new-login", "login-after", "login.after", "/messages/send"),
        ("verification", "courier-http-verification_code_valid", "courier.verification_code_valid", "/messages/send"),
    ])
    func bodiesFromKratosPayloadsMatchTheSpec(route: String, payload: String, event: String, operation: String) throws {
        let request = try request(route: route, payload: payload, event: event)
        #expect("/" + request.endpoint.rawValue == operation)
        let api = try MandrillOpenAPI.shared()
        #expect(api.validateRequest(request.body, operation: operation) == [])
        #expect(request.body.object?.keys.first == "key")
        #expect(request.body["key"] == "md-secret-0123456789")
        #expect(request.body["async"] == false)
        let metadata = try #require(request.body["message"]?["metadata"])
        #expect(metadata["herald_job"] == .string(TimeOrderedID(high: 0x0190_0000_0000_0002, low: 7).description))
        #expect(metadata["herald_event"] != nil)
    }

    @Test func sendTemplateBodyCarriesEveryOption() throws {
        let body = try request(route: "welcome", payload: "registration-after", event: "registration.after").body
        #expect(body["template_name"] == "welcome-en-US")
        #expect(body["template_content"] == [])
        #expect(body["ip_pool"] == "Main Pool")
        let message = try #require(body["message"])
        #expect(
            message["to"] == [
                ["email": "jane.doe@example.com", "name": "Jane Doe", "type": "to"],
                ["email": "audit@example.com", "type": "bcc"],
            ])
        #expect(message["from_email"] == "hello@example.com")
        #expect(message["from_name"] == "Example")
        #expect(message["headers"] == ["Reply-To": "support@example.com"])
        #expect(message["global_merge_vars"] == [["name": "FNAME", "content": "Jane"]])
        #expect(message["tags"] == ["herald", "welcome"])
        #expect(message["subaccount"] == "tenant-1")
        #expect(message["track_opens"] == true)
        #expect(message["important"] == false)
        #expect(message["view_content_link"] == false)
        #expect(message["merge_language"] == "handlebars")
        #expect(message["metadata"]?["service"] == "auth")
        #expect(message["metadata"]?["flow"] == "5f2c8a9e-1d3b-4e6f-8a0c-2b4d6f8a0c1e")
    }

    @Test func sendBodyDropsRecipientsThatRenderedEmpty() throws {
        let request = try request(route: "new-login", payload: "login-after", event: "login.after")
        #expect(request.body["message"]?["to"] == [["email": "jane.doe@example.com", "type": "to"]])
        #expect(request.body["message"]?["subject"] == "New sign-in to your account")
        #expect(request.body["message"]?["headers"]?["X-Herald-Route"] == "new-login")
        #expect(request.body["send_at"] == "2030-01-02 03:04:05")
        #expect(request.body["template_content"] == nil)
    }

    @Test func aJobWithoutAValidRecipientIsRejectedBeforeSending() throws {
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let payload: JSON = [
            "endpoint": "messages/send",
            "request": ["message": ["to": [["email": "not an address", "type": "to"]], "subject": "x", "text": "y"]],
        ]
        let job = Job.testing(PlannedJob(payload: payload, orderingKey: nil), event: event, action: "mail")
        #expect(throws: MandrillRequest.Rejection.self) { try MandrillRequest.prepare(job, apiKey: "k") }
        do {
            _ = try MandrillRequest.prepare(job, apiKey: "k")
        } catch {
            #expect(error.reason == "no valid recipient (not addresses: n***); not sent")
        }
    }

    @Test func malformedSendAtIsRejectedBeforeSending() throws {
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let payload: JSON = [
            "endpoint": "messages/send",
            "request": [
                "message": ["to": [["email": "a@example.com", "type": "to"]]], "send_at": "2030-13-01 00:00:00",
            ],
        ]
        let job = Job.testing(PlannedJob(payload: payload, orderingKey: nil), event: event, action: "mail")
        #expect(throws: MandrillRequest.Rejection.self) { try MandrillRequest.prepare(job, apiKey: "k") }
    }
}
