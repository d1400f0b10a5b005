import Foundation
import HeraldConfig
import HeraldCore
import HeraldTestSupport
import Testing

@testable import HeraldCommands

/// Which hooks `herald kratos-config` asks Kratos for, and how it writes them.
@Suite struct KratosConfigRendererTests {
    private func load(_ routes: String, auth: String = "insecure_no_auth: true") throws -> HeraldConfiguration {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("herald.yaml").path
        let text = """
            listen: ["127.0.0.1:4470"]
            state_dir: state
            ingress:
              \(auth)
            actions:
              rec: { plugin: recording }
            routes:
            \(routes)
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = ConfigLoader(plugins: PluginRegistry([RecordingPlugin.self])).load(path: path)
        return try #require(result.configuration, "\(result.renderedDiagnostics)")
    }

    private func locations(_ plan: KratosHookPlan) -> [String] {
        plan.hooks.map { "\($0.location)\($0.decide ? " decide" : "") \($0.response == .parse ? "parse" : "ignore")" }
    }

    @Test func theBodyIsTheShippedJsonnet() throws {
        let file = ReferenceFiles.packageRoot + "/etc/kratos/ctx.jsonnet"
        let shipped = try String(contentsOfFile: file, encoding: .utf8)
        #expect(shipped.trimmingCharacters(in: .whitespacesAndNewlines) == KratosConfigRenderer.contextJsonnet)
        #expect(KratosConfigRenderer.contextBody == "base64://ZnVuY3Rpb24oY3R4KSBjdHg=")
    }

    @Test func jobRoutesGetBackgroundHooksInEveryMethodListThatNameTheirMethod() throws {
        let configuration = try load(
            """
              - { name: a, events: [registration.after, verification.after], do: [{ action: rec }] }
              - { name: b, events: [login.before], do: [{ action: rec }] }
            """)
        // The default target suits Kratos v1.1, which has no passkey lists.
        let plan = KratosHookPlan(rules: configuration.rules)
        #expect(
            locations(plan) == [
                "registration.after.password.hooks ignore", "registration.after.webauthn.hooks ignore",
                "registration.after.oidc.hooks ignore", "registration.after.code.hooks ignore",
                "login.before.hooks ignore", "verification.after.hooks ignore",
            ])
        #expect(!plan.courier)
        #expect(plan.hooks.first?.path == "/v1/events/registration/after?method=password")
        #expect(plan.hooks.first?.id == "herald-registration-after-password")
        #expect(plan.hooks.last?.path == "/v1/events/verification/after")
        let newer = KratosHookPlan(rules: configuration.rules, target: try KratosTarget(parsing: "v1.2.0"))
        #expect(newer.hooks.contains { $0.location == "registration.after.passkey.hooks" })
    }

    /// Issue 8 point 4: a settings decide hook sits only where the data it tests can change
    /// (profile), or in the lists the route names, so it cannot block a password change.
    @Test func denyRoutesGetSynchronousParsedHooksWhereTheirDataChanges() throws {
        let configuration = try load(
            """
              - { name: d, events: [settings.after, registration.before], do: [{ deny: { message: no } }] }
              - { name: e, events: [settings.after], methods: [password], do: [{ deny: { message: no } }] }
              - { name: j, events: ["registration.*"], do: [{ action: rec }] }
            """)
        let plan = KratosHookPlan(rules: configuration.rules, target: try KratosTarget(parsing: "26.2"))
        #expect(
            locations(plan) == [
                "registration.before.hooks parse", "registration.after.password.hooks ignore",
                "registration.after.webauthn.hooks ignore", "registration.after.passkey.hooks ignore",
                "registration.after.oidc.hooks ignore", "registration.after.code.hooks ignore",
                "settings.after.password.hooks decide parse", "settings.after.profile.hooks decide parse",
            ])
        #expect(plan.hooks.last?.path == "/v1/events/settings/after?mode=decide&method=profile")
        #expect(plan.hooks.last?.id == "herald-settings-after-profile-decide")
    }

    /// A route's `methods:` narrows the lists Herald fills, and the routes it matches.
    @Test func methodsNarrowTheListsAndTheMatch() throws {
        let configuration = try load(
            """
              - { name: p, events: [settings.after], methods: [password], do: [{ action: rec }] }
              - { name: t, events: [settings.after], methods: [totp, lookup_secret], do: [{ action: rec }] }
            """)
        let plan = KratosHookPlan(rules: configuration.rules)
        #expect(
            locations(plan) == [
                "settings.after.password.hooks ignore", "settings.after.totp.hooks ignore",
                "settings.after.lookup_secret.hooks ignore",
            ])
        let payload = try JSONDocument(parsing: ReferenceFiles.kratosPayload("settings-after")).root
        func routes(_ method: String?) -> [String] {
            let event = Event(
                id: TimeOrderedIDGenerator().next(), name: EventName("settings.after")!, receivedAt: .now,
                triggerID: nil, payload: payload, hookMethod: method)
            return configuration.rules.match(event).map(\.name)
        }
        #expect(routes("password") == ["p"])
        #expect(routes("totp") == ["t"])
        #expect(routes("profile") == [])
        #expect(routes(nil) == ["p", "t"])
    }

    /// Issue 8 point 6: `notify_previous_addresses` (which sends verifiable_address_changed) only
    /// for a Kratos that has it; routes on types the target never sends are named in the output.
    @Test func courierTypesKratosDoesNotSendAreNamed() throws {
        let configuration = try load(
            """
              - { name: c, events: [courier.verifiable_address_changed, courier.authenticator_key_added], do: [{ action: rec }] }
            """)
        let released = KratosHookPlan(rules: configuration.rules, target: try KratosTarget(parsing: "26.2"))
        #expect(released.hooks.isEmpty)
        #expect(
            released.unsentCourierEvents.map(\.rawValue) == [
                "courier.authenticator_key_added", "courier.verifiable_address_changed",
            ])
        let main = KratosHookPlan(rules: configuration.rules, target: try KratosTarget(parsing: "main"))
        #expect(main.hooks.map(\.location) == ["settings.after.profile.hooks"])
        #expect(main.hooks.first?.builtin == "notify_previous_addresses")
        #expect(main.unsentCourierEvents.map(\.rawValue) == ["courier.authenticator_key_added"])
    }

    @Test func kratosVersions() throws {
        #expect(try KratosTarget(parsing: "1.1") == .oldest)
        #expect(try KratosTarget(parsing: "v1.3.1") == KratosTarget(major: 1, minor: 3))
        #expect(try KratosTarget(parsing: "25.4.0").hasWebHookID)
        #expect(try !KratosTarget(parsing: "1.3").hasWebHookID)
        #expect(try !KratosTarget(parsing: "26.2").hasNotifyPreviousAddresses)
        #expect(try KratosTarget(parsing: "main").hasNotifyPreviousAddresses)
        for bad in ["1", "1.0", "v0.13.0", "latest", "1.x", ""] {
            #expect(throws: KratosTarget.Invalid.self) { try KratosTarget(parsing: bad) }
        }
    }

    @Test func courierRoutesAskForTheHTTPCourier() throws {
        let configuration = try load(
            """
              - { name: c, events: ["courier.*"], do: [{ action: rec }] }
            """, auth: "auth: [{ basic_auth: { user: kratos, password: \"a \\\"quoted\\\" secret\\\\\" } }]")
        let plan = KratosHookPlan(rules: configuration.rules)
        #expect(plan.hooks.isEmpty)
        #expect(plan.courier)
        let url = try KratosBaseURL(listeners: configuration.listeners)
        let text = KratosConfigRenderer(configuration: configuration, baseURL: url, withSecrets: true).render()
        #expect(!text.contains("selfservice:"))
        #expect(text.contains("  delivery_strategy: http\n"))
        #expect(text.contains(#"      url: "http://127.0.0.1:4470/v1/courier""#))
        #expect(
            text.contains(#"auth: { type: basic_auth, config: { user: "kratos", password: "a \"quoted\" secret\\" } }"#)
        )
        let hidden = KratosConfigRenderer(configuration: configuration, baseURL: url, withSecrets: false).render()
        #expect(!hidden.contains("quoted"))
        #expect(hidden.contains("<ingress password: see ingress.auth in "))
    }

    @Test func noRoutesNoHooks() throws {
        let configuration = try load("  []")
        let url = try KratosBaseURL(parsing: "https://herald.example.com/")
        let text = KratosConfigRenderer(configuration: configuration, baseURL: url, withSecrets: false).render()
        #expect(text.hasSuffix("# No route listens to a Kratos event, so Kratos needs no hook for Herald.\n"))
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("#") })
    }

    @Test func baseURLs() throws {
        #expect(try KratosBaseURL(listeners: [.tcp(host: "0.0.0.0", port: 4470)]).text == "http://127.0.0.1:4470")
        #expect(try KratosBaseURL(listeners: [.tcp(host: "::", port: 80)]).text == "http://[::1]:80")
        #expect(try KratosBaseURL(listeners: [.tcp(host: "10.0.0.5", port: 4470)]).isPlainTextOverNetwork)
        #expect(try !KratosBaseURL(listeners: [.tcp(host: "127.0.0.1", port: 4470)]).isPlainTextOverNetwork)
        #expect(try !KratosBaseURL(parsing: "https://herald.example.com").isPlainTextOverNetwork)
        #expect(throws: KratosBaseURL.Problem.self) { try KratosBaseURL(parsing: "http://user:pw@host") }
        #expect(throws: KratosBaseURL.Problem.self) { try KratosBaseURL(parsing: "https://host/?a=b") }
        #expect(throws: KratosBaseURL.Problem.self) { try KratosBaseURL(listeners: []) }
    }
}
