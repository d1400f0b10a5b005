import HeraldCore
import HeraldTestSupport
import Testing

@testable import MandrillPlugin

/// `actions.NAME` options of `plugin: mandrill`: every problem at its line and column, all at once.
@Suite struct MandrillSettingsTests {
    @Test func validActionReadsEveryOption() throws {
        let harness = PluginHarness(
            """
            actions:
              mail:
                plugin: mandrill
                api_key: "${env:MANDRILL_API_KEY}"
                base_url: https://mandrill.example.net/api/1.0/
                from: {email: hello@example.com, name: Example}
                reply_to: support@example.com
                timeout: 5s
                subaccount: tenant-1
                ip_pool: Main Pool
                tags: [herald, "2024"]
                track_opens: false
                track_clicks: true
                merge_language: handlebars
                important: true
                view_content_link: false
                metadata: {service: auth, region: eu}
            """, env: ["MANDRILL_API_KEY": "md-secret-0123456789"])
        #expect(harness.messages == [])
        let action = try #require(harness.actions["mail"] as? MandrillAction)
        let settings = action.settings
        #expect(settings.apiKey == "md-secret-0123456789")
        #expect(settings.baseURL == "https://mandrill.example.net/api/1.0")
        #expect(settings.from == EmailAddress(email: "hello@example.com", name: "Example"))
        #expect(settings.replyTo == "support@example.com")
        #expect(settings.timeout == .seconds(5))
        #expect(settings.subaccount == "tenant-1")
        #expect(settings.ipPool == "Main Pool")
        #expect(settings.tags == ["herald", "2024"])
        #expect(settings.trackOpens == false)
        #expect(settings.trackClicks == true)
        #expect(settings.mergeLanguage == "handlebars")
        #expect(settings.important == true)
        #expect(settings.viewContentLink == false)
        #expect(settings.metadata == ["service": "auth", "region": "eu"])
        #expect(action.summary == "mandrill → https://mandrill.example.net/api/1.0 (from hello@example.com)")
    }

    @Test func defaults() throws {
        let harness = PluginHarness(
            """
            actions:
              mail:
                plugin: mandrill
                api_key: k-123456
                from: hello@example.com
            """)
        #expect(harness.messages == [])
        let action = try #require(harness.actions["mail"] as? MandrillAction)
        #expect(action.settings.baseURL == "https://mandrillapp.com/api/1.0")
        #expect(action.settings.timeout == .seconds(30))
        #expect(action.settings.tags == [])
        #expect(action.summary == "mandrill → https://mandrillapp.com/api/1.0 (from hello@example.com)")
    }

    @Test func everyProblemIsReportedAtItsPosition() {
        let harness = PluginHarness(
            """
            actions:
              mail:
                plugin: mandrill
                api_kye: x
                base_url: ftp://example.com
                from: {name: Example}
                reply_to: nobody
                timeout: soon
                track_opens: "yes"
                merge_language: liquid
                tags: [ok, _internal, "\(String(repeating: "t", count: 51))"]
                metadata: {herald_job: x, plan: [a]}
                important: 1
            """)
        #expect(harness.actions["mail"] == nil)
        #expect(
            harness.messages == [
                "3:5: missing required key 'api_key'",
                "4:5: unknown key 'api_kye' in action 'mail'; did you mean 'api_key'?",
                "5:15: 'base_url' must be an http or https URL without query or credentials, such as "
                    + "https://mandrillapp.com/api/1.0; found ftp://example.com",
                "6:11: missing required key 'email'",
                "7:15: 'reply_to' is not an email address: nobody",
                "8:14: 'timeout' must be a duration such as 500ms, 30s, 5m, 1h30m or 2d, found soon",
                "9:18: 'track_opens' must be true or false, found a string \"yes\"",
                "10:21: 'merge_language' must be mailchimp or handlebars, found liquid",
                "11:16: tag '_internal' must not start with '_' (Mandrill reserves those)",
                "11:27: tag 'tttttttttttttttttttt…' is longer than 50 characters",
                "12:16: metadata field 'herald_job' is set by Herald itself",
                "12:37: 'plan' must be text, found a list",
                "13:16: 'important' must be true or false, found an integer 1",
            ])
    }

    @Test func baseURLNeedsAHostAndNoQuery() {
        for (url, valid) in [
            ("http://127.0.0.1:8080/api/1.0", true), ("https://mandrillapp.com/api/1.3/", true),
            ("mandrillapp.com/api/1.0", false), ("https:///api", false), ("https://x.example/api?x=1", false),
            ("https://user:pw@x.example/api", false),
        ] {
            let harness = PluginHarness(
                """
                actions:
                  mail:
                    plugin: mandrill
                    api_key: k-123456
                    base_url: "\(url)"
                """)
            #expect(harness.messages.isEmpty == valid, "\(url): \(harness.messages)")
        }
    }

    @Test func timeoutMustBeReasonable() {
        let harness = PluginHarness(
            """
            actions:
              mail:
                plugin: mandrill
                api_key: k-123456
                timeout: 1h
            """)
        #expect(harness.messages == ["5:14: 'timeout' must be between 100ms and 5m, found 1h"])
    }

    @Test func tooManyMetadataFields() {
        let fields = (1...9).map { "f\($0): v" }.joined(separator: ", ")
        let harness = PluginHarness(
            """
            actions:
              mail:
                plugin: mandrill
                api_key: k-123456
                metadata: {\(fields)}
            """)
        #expect(
            harness.messages == [
                "5:15: at most 7 metadata fields: Mandrill indexes 10 and Herald uses herald_job, herald_event and herald_identity"
            ])
    }

    @Test func secretAPIKeyIsNeverQuotedInMessages() {
        let harness = PluginHarness(
            """
            actions:
              mail:
                plugin: mandrill
                api_key: ["${env:KEY}"]
                from: "${env:KEY}"
            """, env: ["KEY": "md-very-secret"])
        #expect(
            harness.messages == [
                "4:14: 'api_key' must be text, found a list", "5:11: 'from' is not an email address: <secret>",
            ])
        #expect(!harness.messages.joined().contains("md-very-secret"))
    }
}
