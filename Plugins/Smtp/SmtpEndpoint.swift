import FoundationEssentials
import HeraldCore

/// Where an SMTP action connects: `smtp://host:port` (STARTTLS or clear) or `smtps://host:port`.
struct SmtpEndpoint: Sendable, Equatable {
    var implicitTLS: Bool
    /// Without brackets for an IPv6 address.
    var host: String
    var port: Int
    /// The URL came from a secret that was not read (`check --no-secrets`): host and port are
    /// placeholders, and nothing is sent.
    var isUnread = false

    /// `smtp://mail.example.com:587`, for the summary and logs.
    var display: String { "\(implicitTLS ? "smtps" : "smtp")://\(hostForURL):\(port)" }

    /// The URL curl reads: its path is the name curl gives in EHLO.
    func curlURL(heloName: String) -> String { "\(display)/\(heloName)" }

    var isLoopback: Bool { host == "localhost" || host.hasPrefix("127.") || host == "::1" }

    private var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

    /// An `smtp` or `smtps` URL with a host, and nothing else than a port: credentials go in
    /// `username` and `password`, the EHLO name in `helo_name`.
    static func parse(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> SmtpEndpoint? {
        // Read leniently and never quoted: the URL may come from a secret.
        guard let text = ConfigMap.string(node, key: "url", diagnostics: diagnostics) else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "smtp" || scheme == "smtps", var host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil, components.query == nil,
            components.fragment == nil, components.path.isEmpty || components.path == "/",
            !host.contains(where: { $0 == "/" || $0 == "@" || $0.isWhitespace })
        else {
            if node.scalar?.holdsUnreadSecret == true {
                return SmtpEndpoint(implicitTLS: false, host: "unread-secret.invalid", port: 587, isUnread: true)
            }
            diagnostics.error(
                "'url' must be smtp://HOST:PORT (STARTTLS, usually port 587) or smtps://HOST:PORT (TLS, usually "
                    + "465), without credentials or path; found \(node.displayValue)", at: node)
            return nil
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let implicitTLS = scheme == "smtps"
        let port = components.port ?? (implicitTLS ? 465 : 587)
        guard (1...65535).contains(port) else {
            diagnostics.error("'url' has port \(port), outside 1 to 65535", at: node)
            return nil
        }
        return SmtpEndpoint(implicitTLS: implicitTLS, host: host.lowercased(), port: port)
    }
}
