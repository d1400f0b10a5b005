import HeraldConfig
import HeraldCore
import HeraldTestSupport
import Testing

/// `console:`: off by default, loopback by default, a password only from a secret reference.
@Suite struct ConsoleSettingsTests {
    let base = """
        listen: ["127.0.0.1:4470"]
        ingress: { insecure_no_auth: true }
        actions: { rec: { plugin: recording } }
        routes: [{ name: r, events: [registration.after], do: [{ action: rec }] }]

        """

    func load(_ yaml: String) throws -> ConfigLoadResult {
        try loadConfiguration(
            base + yaml, secrets: SecretResolver(environment: ["PASSWORD": "correct-horse-battery", "SHORT": "short"]))
    }

    @Test func offUnlessConfigured() throws {
        #expect(try load("").configuration?.console == nil)
    }

    @Test func defaultsToLoopbackWithItsOwnPassword() throws {
        let console = try #require(try load(#"console: { password: "${env:PASSWORD}" }"#).configuration?.console)
        #expect(console.listener == .tcp(host: "127.0.0.1", port: 4471))
        #expect(console.password == "correct-horse-battery")
        #expect(console.sessionTTL == .seconds(43200) && !console.secureCookie && console.recentEvents == 100)
    }

    @Test func readsEverySetting() throws {
        let result = try load(
            #"console: { listen: "0.0.0.0:9000", password: "${env:PASSWORD}", session_ttl: 1h, secure_cookie: true, recent_events: 20 }"#
        )
        let console = try #require(result.configuration?.console)
        #expect(console.listener == .tcp(host: "0.0.0.0", port: 9000) && console.sessionTTL == .seconds(3600))
        #expect(console.secureCookie && console.recentEvents == 20)
        #expect(result.warnings.contains { $0.message.contains("reachable from other machines") })
        let named = try load(#"console: { password: "${env:PASSWORD}", hosts: [Herald-Console.example.com, ops] }"#)
        #expect(named.configuration?.console?.hosts == ["herald-console.example.com", "ops"])
    }

    @Test func refusesAPasswordWrittenInTheFileOrTooShort() throws {
        let literal = try load(#"console: { password: "correct-horse-battery" }"#)
        #expect(literal.diagnostics.contains { $0.message.contains("must come from a secret reference") })
        let short = try load(#"console: { password: "${env:SHORT}" }"#)
        #expect(short.diagnostics.contains { $0.message.contains("at least 12 characters") })
        let missing = try load("console: { listen: 127.0.0.1:9000 }")
        #expect(missing.configuration == nil)
    }

    @Test func refusesNonsense() throws {
        let sharing = try load(#"console: { listen: "127.0.0.1:4470", password: "${env:PASSWORD}" }"#)
        #expect(sharing.diagnostics.contains { $0.message.contains("give the console its own") })
        let ttl = try load(#"console: { password: "${env:PASSWORD}", session_ttl: 10s }"#)
        #expect(ttl.diagnostics.contains { $0.message.contains("between 5m and 7d") })
        let address = try load(#"console: { password: "${env:PASSWORD}", listen: "nowhere" }"#)
        #expect(address.diagnostics.contains { $0.message.contains("is not a listen address") })
        for host in ["console.example.com:443", "https://console.example.com", "-bad.example", "a..b", "*.example"] {
            let hosts = try load("console: { password: \"${env:PASSWORD}\", hosts: [\"\(host)\"] }")
            #expect(
                hosts.diagnostics.contains { $0.message.contains("is not a host name for 'console.hosts'") }, "\(host)")
        }
        let key = try load(#"console: { password: "${env:PASSWORD}", passwd: x }"#)
        #expect(key.configuration == nil)
    }
}
