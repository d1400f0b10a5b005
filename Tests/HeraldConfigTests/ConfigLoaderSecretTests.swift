import HeraldConfig
import HeraldCore
import HeraldTestSupport
import Testing

/// A secret's value never reaches a diagnostic, even where a message quotes the value it rejects
/// (found by Fuzz/config: `listen: "${env:…}"` printed the key in "'…' is not a listen address",
/// and a template's section name built with a reference printed it in "is never closed").
@Suite struct ConfigLoaderSecretTests {
    let secret = "md-fuzz-secret-key"

    func load(_ yaml: String) throws -> ConfigLoadResult {
        try loadConfiguration(yaml, secrets: SecretResolver(environment: ["MANDRILL_API_KEY": secret]))
    }

    @Test func aSecretUsedAsAListenAddressIsNotShown() throws {
        let result = try load(#"listen: "${env:MANDRILL_API_KEY}""#)
        #expect(result.configuration == nil)
        let messages = result.diagnostics.map(\.message)
        #expect(messages.contains { $0.hasPrefix("'<secret>' is not a listen address;") })
        #expect(!messages.contains { $0.contains(secret) })
        #expect(!result.renderedDiagnostics.contains(secret))
    }

    @Test func aSecretInAnyRejectedValueIsNotShown() throws {
        let result = try load(
            "log: { format: \"${env:MANDRILL_API_KEY}\", level: \"x-${env:MANDRILL_API_KEY}\" }\n" + recordingRoute)
        #expect(result.configuration == nil)
        let messages = result.diagnostics.map(\.message)
        #expect(messages.contains("'format' must be logfmt or json, found '<secret>'"))
        #expect(!messages.contains { $0.contains(secret) })
        #expect(!result.renderedDiagnostics.contains(secret))
        #expect(!result.renderedWarnings.contains(secret))
    }

    /// A message that quotes part of a scalar holding a reference (here the section name of a
    /// template) must not show the reference's value either (Fuzz/config, minimised).
    @Test func aSecretInsideLongerTextIsNotShown() throws {
        let result = try load(
            """
            actions:
             rec: {plugin: recording}
            routes:
            - do:
                  - action: rec
                    l: "{{#${env:MANDRILL_API_KEY}}}"
            """)
        #expect(result.configuration == nil)
        let messages = result.diagnostics.map(\.message)
        #expect(messages.contains("section '<secret>' is never closed with '{{/<secret>}}'"))
        #expect(!messages.contains { $0.contains(secret) })
        #expect(!result.renderedDiagnostics.contains(secret))
    }
}
