import HeraldConfig
import HeraldCore
import HeraldTestSupport
import Testing

@testable import MailchimpPlugin

/// `actions.NAME` options of `plugin: mailchimp`: every problem at its line and column, all at once.
@Suite struct MailchimpSettingsTests {
    static let key = "0123456789abcdef0123456789abcdef-us21"

    @Test func theDataCenterComesFromTheKey() throws {
        let harness = PluginHarness(
            """
            actions:
              audience:
                plugin: mailchimp
                api_key: "${env:MAILCHIMP_API_KEY}"
                list_id: a1b2c3d4e5
            """, env: ["MAILCHIMP_API_KEY": Self.key])
        #expect(harness.messages == [])
        let action = try #require(harness.actions["audience"] as? MailchimpAction)
        #expect(action.settings.baseURL == "https://us21.api.mailchimp.com/3.0")
        #expect(action.settings.apiKey == Self.key)
        #expect(action.settings.timeout == .seconds(30))
        #expect(action.summary == "mailchimp → https://us21.api.mailchimp.com/3.0 (audience a1b2c3d4e5)")
        #expect(!action.summary.contains(Self.key))
        // Half the account's 10 connections unless the config says otherwise.
        #expect(action.defaultConcurrency == 5)
    }

    @Test func baseURLOverridesTheDataCenter() throws {
        let harness = PluginHarness(
            """
            actions:
              audience:
                plugin: mailchimp
                api_key: no-data-center-here-at-all
                list_id: "0123456789"
                base_url: http://127.0.0.1:9999/3.0/
                timeout: 5s
            """)
        #expect(harness.messages == [])
        let action = try #require(harness.actions["audience"] as? MailchimpAction)
        #expect(action.settings.baseURL == "http://127.0.0.1:9999/3.0")
        #expect(action.settings.listID == "0123456789")
        #expect(action.settings.timeout == .seconds(5))
    }

    @Test(
        arguments: [
            ("0123456789abcdef-us21", "us21"), ("abc-us6", "us6"), ("abc-US6", nil), ("abc", nil), ("a-b-us6", nil),
            ("-us6", nil), ("abc-us", nil), ("abc-6", nil), ("abc-us6.evil.example", nil), ("abc-us6 ", nil),
        ] as [(String, String?)])
    func dataCenterIsTheOneSuffixTheSDKReads(key: String, expected: String?) {
        #expect(MailchimpSettings.dataCenter(ofKey: key) == expected)
    }

    @Test func everyProblemIsReportedAtItsPositionWithoutTheKey() {
        let harness = PluginHarness(
            """
            actions:
              audience:
                plugin: mailchimp
                api_key: "${env:MAILCHIMP_API_KEY}"
                list_id: "a1b2/../c3"
                timeout: 10m
                concurrency: 16
                region: eu
            """, env: ["MAILCHIMP_API_KEY": "secret-without-dc-0123"])
        #expect(
            harness.messages == [
                "4:14: 'api_key' does not end in its data center (a Mailchimp key looks like <32 hex digits>-us21), "
                    + "so the API's address is unknown; use the key as Mailchimp shows it, or set 'base_url'",
                "5:14: 'list_id' must be an audience id of letters and digits (Audience → Settings → Audience ID, "
                    + "such as a1b2c3d4e5), found \"a1b2/../c3\"",
                "6:14: 'timeout' must be between 100ms and 5m, found 10m",
                "7:18: 'concurrency' of a mailchimp action must be at most 10: Mailchimp allows 10 simultaneous "
                    + "connections per account and answers 429 beyond; found 16",
                "8:5: unknown key 'region' in action 'audience' (expected one of: plugin, concurrency, api_key, "
                    + "list_id, base_url, timeout)",
            ])
        #expect(!harness.messages.joined().contains("secret-without-dc"))
        #expect(harness.actions["audience"] == nil)
    }

    @Test func requiredOptions() {
        let harness = PluginHarness(
            """
            actions:
              audience:
                plugin: mailchimp
            """)
        #expect(harness.messages.contains { $0.hasPrefix("3:5:") && $0.contains("'api_key'") }, "\(harness.messages)")
        #expect(harness.messages.contains { $0.hasPrefix("3:5:") && $0.contains("'list_id'") })
    }

    /// `herald check --no-secrets` reads no key: the placeholder has no data center, and that is
    /// not the operator's mistake.
    @Test func anUnreadSecretIsNotCheckedForADataCenter() throws {
        #expect(MailchimpSettings.unreadSecret == SecretResolver.placeholder)
        let harness = PluginHarness(
            """
            actions:
              audience:
                plugin: mailchimp
                api_key: "${env:MAILCHIMP_API_KEY}"
                list_id: a1b2c3d4e5
            """, env: ["MAILCHIMP_API_KEY": SecretResolver.placeholder])
        #expect(harness.messages == [])
        #expect(harness.actions["audience"]?.summary.contains("<data center of api_key>") == true)
    }
}
