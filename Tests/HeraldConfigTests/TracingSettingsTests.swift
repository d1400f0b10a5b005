import HeraldConfig
import HeraldCore
import HeraldTestSupport
import Testing

/// `tracing:`: off without the section, every key checked with its position, header values
/// treated as secrets.
@Suite struct TracingSettingsTests {
    let token = "otlp-secret-token"

    func load(_ tracing: String) throws -> ConfigLoadResult {
        try loadConfiguration(
            "ingress: { insecure_no_auth: true }\n" + recordingRoute + "\n" + tracing,
            secrets: SecretResolver(environment: ["OTLP_TOKEN": token]))
    }

    @Test func tracingIsOffWithoutItsSection() throws {
        let result = try load("")
        #expect(try #require(result.configuration).tracing == nil)
    }

    @Test func theDefaultsAndEveryKey() throws {
        let minimal = try #require(try load("tracing: { endpoint: http://127.0.0.1:4318/v1/traces }").configuration)
        let defaults = try #require(minimal.tracing)
        #expect(defaults.endpoint.absoluteString == "http://127.0.0.1:4318/v1/traces")
        #expect(defaults.batchSize == 512 && defaults.buffer == 4096 && defaults.serviceName == "herald")
        #expect(defaults.interval == .seconds(5) && defaults.timeout == .seconds(10) && defaults.headers.isEmpty)
        let full = try load(
            """
            tracing:
              endpoint: https://otlp.example.com/v1/traces
              headers: { Authorization: "Bearer ${env:OTLP_TOKEN}" }
              service_name: herald-eu
              batch_size: 100
              buffer: 1000
              interval: 500ms
              timeout: 2s
            """)
        let settings = try #require(full.configuration?.tracing, "\(full.diagnostics)")
        #expect(settings.headers == [TracingSettings.Header(name: "Authorization", value: "Bearer \(token)")])
        #expect(settings.serviceName == "herald-eu" && settings.batchSize == 100 && settings.buffer == 1000)
        #expect(settings.interval == .milliseconds(500) && settings.timeout == .seconds(2))
        #expect(full.configuration?.secrets.contains(token) == true)
    }

    @Test(arguments: [
        ("tracing: {}", 8, "missing required key 'endpoint'"),
        ("tracing: { endpoint: ftp://x/v1/traces }", 8, "'endpoint' must be an http or https URL"),
        ("tracing: { endpoint: 'http:///v1/traces' }", 8, "'endpoint' must be an http or https URL"),
        ("tracing: { endpoint: http://c/v1/traces, batch_size: 0 }", 8, "'batch_size' must be"),
        ("tracing: { endpoint: http://c/v1/traces, batch_size: 100, buffer: 10 }", 8, "'buffer' (10) must hold"),
        ("tracing: { endpoint: http://c/v1/traces, interval: 10ms }", 8, "'interval' must be between 100ms and 1m"),
        ("tracing: { endpoint: http://c/v1/traces, timeout: 5m }", 8, "'timeout' must be between 1s and 1m"),
        ("tracing: { endpoint: http://c/v1/traces, service_name: '' }", 8, "'service_name' must be 1 to 128"),
        (
            "tracing: { endpoint: http://c/v1/traces, headers: { Content-Type: x } }", 8,
            "'headers': Content-Type is set"
        ),
        ("tracing: { endpoint: http://c/v1/traces, headers: [a] }", 8, "'headers' must be a map"),
        ("tracing: { endpoint: http://c/v1/traces, sample: 1 }", 8, "sample"),
    ])
    func badSettingsAreRefusedWhereTheyAre(_ yaml: String, line: Int, message: String) throws {
        let result = try load(yaml)
        #expect(result.configuration == nil)
        let diagnostic = try #require(
            result.diagnostics.first { $0.message.contains(message) }, "\(result.diagnostics)")
        #expect(diagnostic.location.line == line)
    }

    @Test func aHeaderValueIsNeverShown() throws {
        let result = try load(
            """
            tracing:
              endpoint: http://c/v1/traces
              headers: { "Bad Name": "${env:OTLP_TOKEN}", X-Key: "a\\u0001${env:OTLP_TOKEN}" }
            """)
        #expect(result.configuration == nil)
        #expect(!result.renderedDiagnostics.contains(token))
        #expect(result.diagnostics.contains { $0.message.contains("the value of X-Key must be text without control") })
    }
}
