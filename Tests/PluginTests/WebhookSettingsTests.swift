import HeraldCore
import HeraldTestSupport
import Testing

@testable import WebhookPlugin

/// `actions.NAME` options and `do:` steps of `plugin: webhook`: every problem at its line and
/// column, secrets and header values never quoted.
@Suite struct WebhookSettingsTests {
    static let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let token = "Bearer tok_0123456789abcdef"

    @Test func aFullActionAndItsSummary() throws {
        let harness = PluginHarness(
            """
            actions:
              crm:
                plugin: webhook
                url: https://crm.example.com/hooks/herald?source=herald
                method: put
                headers: { Authorization: "${env:CRM_TOKEN}", X-Tenant: acme }
                timeout: 20s
                secrets: ["${env:OLD}", "${env:NEW}"]
                content_type: application/json; charset=utf-8
            """,
            env: [
                "CRM_TOKEN": Self.token, "OLD": "whsec_ERERERERERERERERERERERERERERERERERERERERERE=",
                "NEW": Self.secret,
            ])
        #expect(harness.messages == [])
        let action = try #require(harness.actions["crm"] as? WebhookAction)
        #expect(action.settings.method == "PUT")
        #expect(action.settings.url.absoluteString == "https://crm.example.com/hooks/herald?source=herald")
        #expect(
            action.settings.headers == [
                WebhookHeader(name: "Authorization", value: Self.token), WebhookHeader(name: "X-Tenant", value: "acme"),
            ])
        #expect(action.settings.timeout == .seconds(20))
        #expect(action.settings.secrets.count == 2)
        #expect(action.settings.contentType == "application/json; charset=utf-8")
        #expect(
            action.summary
                == "webhook → PUT https://crm.example.com/hooks/herald?source=… (2 secrets; headers: Authorization, X-Tenant)"
        )
        #expect(action.defaultConcurrency == nil)
    }

    @Test func aURLFromASecretIsNeverPrinted() throws {
        let harness = PluginHarness(
            """
            actions:
              slack:
                plugin: webhook
                url: "${env:HOOK_URL}"
                secrets: "\(Self.secret)"
            """, env: ["HOOK_URL": "https://hooks.example.com/services/T000/B000/XXXXSECRETXXXX"])
        #expect(harness.messages == [])
        let action = try #require(harness.actions["slack"] as? WebhookAction)
        #expect(action.summary == "webhook → POST https://hooks.example.com/… (URL from a secret) (1 secret)")
    }

    /// A URL written into the file is shown by where it leads: its query values and token-like
    /// path segments (Slack's, Discord's) are what a receiver takes as its credential.
    @Test func aWrittenURLIsShownWithoutItsTokens() throws {
        let harness = PluginHarness(
            """
            actions:
              slack:
                plugin: webhook
                url: "https://hooks.slack.com/services/T0001/B0001/a1b2c3d4e5f6g7h8i9j0k1l2?token=tok-5678&channel=ops"
                secrets: "\(Self.secret)"
            """)
        #expect(harness.messages == [])
        let action = try #require(harness.actions["slack"] as? WebhookAction)
        #expect(
            action.summary
                == "webhook → POST https://hooks.slack.com/services/T0001/B0001/…?token=…&channel=… (1 secret)")
    }

    @Test func everyProblemAtItsPosition() {
        let harness = PluginHarness(
            """
            actions:
              a:
                plugin: webhook
              b:
                plugin: webhook
                url: ftp://example.com/x
                method: DELETE
                timeout: 10m
                secrets: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, "not-a-secret", "whsec_%%%"]
                headers: { "Bad Name": x, Content-Type: text/plain, webhook-id: x, X-A: 1, x-a: 2 }
                content_type: json
              c:
                plugin: webhook
                url: https://example.com/h
                secrets: []
                headers: [x]
            """)
        #expect(
            harness.messages == [
                "3:5: missing required key 'url'",
                "3:5: missing required key 'secrets'",
                "6:10: 'url' must be an http or https URL with a host and without credentials or fragment, such as "
                    + "https://hooks.example.com/herald; found ftp://example.com/x",
                "7:13: 'method' must be POST, PUT or PATCH, found DELETE",
                "8:14: 'timeout' must be between 100ms and 5m, found 10m",
                "9:55: 'secrets': secret 2 does not start with whsec_ (a Standard Webhooks secret is whsec_ and the "
                    + "base64 of 24 to 64 random bytes, e.g. from: openssl rand -base64 32)",
                "9:71: 'secrets': secret 3 is not whsec_ followed by base64 (a Standard Webhooks secret is whsec_ and "
                    + "the base64 of 24 to 64 random bytes, e.g. from: openssl rand -base64 32)",
                "10:16: 'headers': \"Bad Name\" is not a header name (letters, digits and !#$%&'*+-.^_`|~)",
                "10:31: 'headers': Content-Type is set by Herald or the HTTP client; use content_type",
                "10:57: 'headers': webhook-id is set by Herald or the HTTP client",
                "10:80: 'headers': x-a is listed twice",
                "11:19: 'content_type' must be a media type such as application/json, found json",
                "15:14: 'secrets' must be a list of 1 to 5 Standard Webhooks secrets (whsec_…), found 0 items",
                "16:14: 'headers' must be a map of header names to values, found a list",
            ])
        #expect(harness.actions.isEmpty)
    }

    @Test func secretsAndHeaderValuesAreNeverQuoted() {
        let harness = PluginHarness(
            """
            actions:
              a:
                plugin: webhook
                url: https://example.com/h
                secrets: ["${env:BAD}"]
                headers: { Authorization: "${env:TOKEN}" }
            """, env: ["BAD": "sk_live_leakme0123456789", "TOKEN": "line1\nline2-leakme"])
        #expect(harness.messages.count == 2)
        for message in harness.messages { #expect(!message.contains("leakme"), "\(message)") }
    }

    @Test func shortSecretsAndPlainHTTPAreWarnings() {
        let harness = PluginHarness(
            """
            actions:
              a:
                plugin: webhook
                url: http://crm.internal/h
                secrets: [whsec_c2hvcnQ=]
            """)
        #expect(harness.messages == [])
        #expect(harness.warnings.count == 2)
        #expect(harness.warnings.contains { $0.hasPrefix("4:10: 'url' is plain http") })
        #expect(harness.warnings.contains { $0.hasPrefix("5:15: 'secrets': the secret decodes to 5 bytes") })
    }

    @Test func theStepRendersTheWholePayloadOrABody() throws {
        let harness = PluginHarness(
            """
            actions:
              crm: { plugin: webhook, url: "https://example.com/h", secrets: ["\(Self.secret)"] }
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: crm
              - name: s
                events: [registration.after]
                do:
                  - action: crm
                    body: '{"user": {{identity.id | json}}}'
                    content_type: application/vnd.crm+json
              - name: t
                events: [registration.after]
                do:
                  - action: crm
                    body: "{{nope.missing"
                    bodies: x
            """)
        #expect(
            harness.messages.map { String($0.prefix(40)) } == [
                "18:16: '{{' is not closed with '}}'", "19:9: unknown key 'bodies' in step 1 of ",
            ])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let whole = try #require(harness.job("r", event: event))
        #expect(whole.payload["content_type"] == "application/json")
        // The whole payload, without the user's cookies (issue 21).
        #expect(whole.payload["body"]?.string == event.forwardedPayload)
        #expect(whole.payload["body"]?.string?.contains("request_cookies") == false)
        let rendered = try #require(harness.job("s", event: event))
        #expect(rendered.payload["content_type"] == "application/vnd.crm+json")
        let id = try #require(event.payload["identity"]?["id"]?.string)
        #expect(rendered.payload["body"]?.string == "{\"user\": \"\(id)\"}")
    }
}
