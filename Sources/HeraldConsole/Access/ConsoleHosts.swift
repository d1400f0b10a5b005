import HeraldConfig

/// The names a console page may be asked for in `Host`: IP literals, `localhost`, and the names
/// in `console.hosts` (a TLS proxy's public name).
///
/// A site an operator visits can point its own name at 127.0.0.1 once its page has loaded (DNS
/// rebinding); the browser then sends that page's requests to the console as same-origin ones,
/// with `Host: attacker.example`, so the origin check alone lets them through: password guesses
/// that lock the operator out, or, after a right guess, the console itself. Answering only to
/// known names stops them.
package struct ConsoleHosts: Sendable {
    private let names: Set<String>

    /// - Parameter names: the configured names, lower case.
    package init(names: [String]) {
        self.names = Set(names)
    }

    /// True for a `Host` value (with or without a port) naming an IP literal, `localhost` or a
    /// configured name; true without a `Host` (no browser leaves it out).
    package func accepts(_ host: String?) -> Bool {
        guard let host else { return true }
        let name = Self.withoutPort(host).lowercased()
        if name == "localhost" || names.contains(name) { return true }
        if name.hasPrefix("[") && name.hasSuffix("]") {
            return ListenAddress.isIPLiteral(String(name.dropFirst().dropLast()))
        }
        return !name.contains(":") && ListenAddress.isIPLiteral(name)
    }

    /// `host:port` → `host`; `[v6]:port` → `[v6]`; anything else as it is.
    private static func withoutPort(_ host: String) -> Substring {
        guard let colon = host.lastIndex(of: ":"),
            host[host.index(after: colon)...].allSatisfy(\.isASCIIDigit),
            !host[..<colon].contains(":") || host[..<colon].hasSuffix("]")
        else { return host[...] }
        return host[..<colon]
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
