import HeraldCore
import HeraldTestSupport
import Testing

@testable import KratosPlugin

/// `actions.NAME` options of `plugin: kratos`: self-hosted or Ory Network, every problem at its
/// line and column, the token never quoted.
@Suite struct KratosSettingsTests {
    static let token = "ory_pat_secret0123456789"

    @Test func selfHostedAdminURL() throws {
        let harness = PluginHarness(
            """
            actions:
              kratos:
                plugin: kratos
                admin_url: http://kratos:4434/
                timeout: 3s
            """)
        #expect(harness.messages == [])
        let action = try #require(harness.actions["kratos"] as? KratosAction)
        #expect(action.settings.baseURL == "http://kratos:4434")
        #expect(action.settings.token == nil)
        #expect(action.settings.timeout == .seconds(3))
        #expect(action.summary == "kratos → http://kratos:4434 (self-hosted admin API, no token)")
    }

    @Test func oryNetworkProjectWithASecretToken() throws {
        let harness = PluginHarness(
            """
            actions:
              kratos:
                plugin: kratos
                project: sad-einstein-1a2b3c
                token: "${env:ORY_API_KEY}"
            """, env: ["ORY_API_KEY": Self.token])
        #expect(harness.messages == [])
        let action = try #require(harness.actions["kratos"] as? KratosAction)
        #expect(action.settings.baseURL == "https://sad-einstein-1a2b3c.projects.oryapis.com")
        #expect(action.settings.isOryNetwork)
        #expect(action.settings.token == Self.token)
        #expect(action.settings.timeout == .seconds(10))
        #expect(
            action.summary == "kratos → https://sad-einstein-1a2b3c.projects.oryapis.com (Ory Network, Bearer token)")
        #expect(!action.summary.contains(Self.token))
    }

    @Test func everyProblemAtItsPosition() {
        let harness = PluginHarness(
            """
            actions:
              a:
                plugin: kratos
              b:
                plugin: kratos
                admin_url: http://kratos:4434
                project: my-project
              c:
                plugin: kratos
                admin_url: http://kratos:4434/admin
              d:
                plugin: kratos
                project: My_Project
                timeout: 10m
              e:
                plugin: kratos
                project: my-project
              f:
                plugin: kratos
                admin_url: "ftp://kratos"
                token: ""
                tokn: x
            """)
        #expect(
            harness.messages == [
                "3:5: action 'a' needs 'admin_url' (self-hosted Kratos' admin listener, such as http://kratos:4434) "
                    + "or 'project' (an Ory Network project slug)",
                "7:5: use either 'admin_url' (self-hosted Kratos) or 'project' (Ory Network), not both",
                "10:16: 'admin_url' is the admin listener's base URL, without '/admin' (Herald adds "
                    + "/admin/identities/…); found http://kratos:4434/admin",
                "12:5: missing required key 'token'",
                "13:14: 'project' must be an Ory Network project slug (lower-case letters, digits and hyphens, as in "
                    + "https://SLUG.projects.oryapis.com); found My_Project",
                "14:14: 'timeout' must be between 100ms and 5m, found 10m",
                "16:5: missing required key 'token'",
                "20:16: 'admin_url' must be an http or https URL without query or credentials, such as "
                    + "http://kratos:4434; found \"ftp://kratos\"",
                "21:12: 'token' is empty",
                "22:5: unknown key 'tokn' in action 'f'; did you mean 'token'?",
            ])
    }

    @Test func aTokenThatIsNotAnOryKeyWarnsWithoutQuotingIt() {
        let harness = PluginHarness(
            """
            actions:
              kratos:
                plugin: kratos
                project: my-project
                token: "${env:ORY_API_KEY}"
            """, env: ["ORY_API_KEY": "not-an-ory-key-0123456789"])
        #expect(harness.messages == [])
        #expect(
            harness.warnings == [
                "5:12: 'token' does not start with ory_pat_ or ory_apikey_, as Ory Network API keys do"
            ])
        #expect(harness.actions["kratos"] != nil)
        let text = harness.warnings.joined(separator: "\n")
        #expect(!text.contains("not-an-ory-key"))
    }
}
