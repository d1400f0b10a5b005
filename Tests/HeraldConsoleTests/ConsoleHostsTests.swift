import HeraldConsole
import Testing

/// The names the console answers to: IP literals, localhost and the configured ones, with or
/// without a port; anything else is what a DNS rebinding page sends.
@Suite struct ConsoleHostsTests {
    @Test func acceptsAddressesLocalhostAndTheConfiguredNames() {
        let hosts = ConsoleHosts(names: ["herald-console.example.com"])
        for host in [
            "127.0.0.1:4471", "127.0.0.1", "10.0.0.5:8080", "[::1]:4471", "[::1]", "localhost:4471", "LOCALHOST",
            "herald-console.example.com", "Herald-Console.Example.com:443",
        ] {
            #expect(hosts.accepts(host), "\(host)")
        }
        #expect(hosts.accepts(nil))
    }

    @Test func refusesEveryOtherName() {
        let hosts = ConsoleHosts(names: ["herald-console.example.com"])
        for host in [
            "rebind.evil.example", "rebind.evil.example:4471", "127.0.0.1.nip.io:4471", "localhost.evil.example",
            "evil-herald-console.example.com", "herald-console.example.com.evil.example", "", ":4471", "[::1",
            "256.0.0.1:4471", "::1", "127.0.0.1:4471:1",
        ] {
            #expect(!hosts.accepts(host), "\(host)")
        }
    }
}
