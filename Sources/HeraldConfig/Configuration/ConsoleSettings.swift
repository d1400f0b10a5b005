import HeraldCore

/// `console:`: the operators' web console (docs/console.md). Off unless the section is present.
///
/// ```yaml
/// console:
///   listen: 127.0.0.1:4471                       # default; its own listener, loopback by default
///   password: "${credential:herald-console}"     # a secret reference; never the ingress key
///   session_ttl: 12h                             # default; 5m … 7d
///   secure_cookie: true                          # default false; set when a TLS proxy serves it
///   hosts: [herald-console.example.com]          # names a proxy passes in Host (IP literals and
///                                                # localhost are always accepted)
///   recent_events: 100                           # default; 10 … 1000 kept in memory
/// ```
package struct ConsoleSettings: Sendable, Equatable {
    /// Where the console listens (never one of `listen:`).
    package var listener: ListenAddress = .tcp(host: "127.0.0.1", port: 4471)
    /// The one operator password (from a secret reference; at least `minimumPasswordLength`).
    package var password: String
    /// How long a login lasts.
    package var sessionTTL: Duration = .seconds(12 * 3600)
    /// Adds `Secure` to the session cookie: Herald itself speaks plain HTTP, so this is for a
    /// console served through a TLS proxy.
    package var secureCookie = false
    /// How many recent events the console keeps in memory (masked).
    package var recentEvents = 100
    /// Host names the console answers to besides IP literals and `localhost` (lower case): a
    /// page reached by another name is a DNS rebinding attempt, or a proxy not named here.
    package var hosts: [String] = []

    package static let minimumPasswordLength = 12

    /// A DNS name: labels of ASCII letters, digits and `-`, joined by dots (no port, no scheme).
    package static func isHostName(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return text.utf8.count <= 253 && !labels.isEmpty
            && labels.allSatisfy { label in
                !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                    && label.utf8.allSatisfy { byte in
                        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    }
            }
    }

    package init(password: String) {
        self.password = password
    }
}

extension ConfigurationBuilder {
    static let consoleKeys = ["listen", "password", "session_ttl", "secure_cookie", "recent_events", "hosts"]

    mutating func readConsole(_ node: ConfigNode) {
        guard
            let map = ConfigMap(node, keys: Self.consoleKeys, what: "'console'", diagnostics: diagnostics),
            let password = map.string("password", required: true, acceptingScalars: true),
            let passwordNode = map.node("password")
        else { return }
        var settings = ConsoleSettings(password: password)
        if !(passwordNode.scalar?.isSecret ?? false) {
            diagnostics.error(
                "'console.password' must come from a secret reference (${env:…}, ${file:…} or ${credential:…}), not the file itself",
                at: passwordNode)
        } else if password.count < ConsoleSettings.minimumPasswordLength,
            !(passwordNode.scalar?.holdsUnreadSecret ?? false)
        {
            diagnostics.error(
                "'console.password' must be at least \(ConsoleSettings.minimumPasswordLength) characters",
                at: passwordNode)
        }
        if let text = map.string("listen"), let at = map.node("listen") {
            if let address = ListenAddress(text) {
                settings.listener = address
                if !address.isLocalOnly {
                    diagnostics.warning(
                        "the console listens on \(address), reachable from other machines; serve it through a TLS proxy (secure_cookie: true)",
                        at: at)
                }
            } else {
                diagnostics.error(
                    "'\(text)' is not a listen address; use host:port with an IP address (127.0.0.1:4471) or unix:/path",
                    at: at)
            }
        }
        if let value = map.duration("session_ttl") {
            if (value < .seconds(300) || value > .seconds(7 * 86400)), let at = map.node("session_ttl") {
                diagnostics.error("'session_ttl' must be between 5m and 7d", at: at)
            }
            settings.sessionTTL = value
        }
        if let flag = map.bool("secure_cookie") { settings.secureCookie = flag }
        if let count = map.int("recent_events", in: 10...1000) { settings.recentEvents = count }
        if let names = map.stringList("hosts"), let at = map.node("hosts") {
            for name in names {
                guard ConsoleSettings.isHostName(name) else {
                    diagnostics.error(
                        "'\(name)' is not a host name for 'console.hosts' (letters, digits, '-' and '.', no port)",
                        at: at)
                    continue
                }
                settings.hosts.append(name.lowercased())
            }
        }
        console = settings
        consoleNode = node
    }

    /// The console's listener must not be one of the ingress' (it has its own credentials).
    func checkConsoleListener() {
        // Port 0 picks a free port for each listener: never the same one.
        guard let console, let at = consoleNode, listeners.contains(console.listener),
            console.listener != .tcp(host: "127.0.0.1", port: 0)
        else { return }
        diagnostics.error("console.listen \(console.listener) is also in listen:; give the console its own", at: at)
    }
}
