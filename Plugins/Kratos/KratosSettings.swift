import FoundationEssentials
import HeraldCore

/// The options of one `plugin: kratos` action, validated.
struct KratosSettings: Sendable {
    static let keys = ["admin_url", "project", "token", "timeout"]
    static let defaultTimeout = Duration.seconds(10)
    static let timeoutRange = Duration.milliseconds(100)...Duration.seconds(300)
    /// Prefixes of Ory Network API keys (project API keys and personal access tokens).
    static let oryKeyPrefixes = ["ory_pat_", "ory_apikey_"]

    /// Where the admin API is, without a trailing slash: `http://kratos:4434` or
    /// `https://SLUG.projects.oryapis.com`.
    var baseURL: String
    /// True for Ory Network (`project:`).
    var isOryNetwork: Bool
    /// Sent as `Authorization: Bearer …` only when performing; never printed.
    var token: String?
    var timeout: Duration

    /// Reads and checks `actions.NAME`, recording every problem; nil when any was found.
    static func parse(_ definition: ActionDefinition) -> KratosSettings? {
        let diagnostics = definition.diagnostics
        let before = diagnostics.items.count
        guard let options = definition.options(keys: keys) else { return nil }
        var baseURL: String?
        var isOryNetwork = false
        switch (options.node("admin_url"), options.node("project")) {
        case (let url?, nil):
            baseURL = parseAdminURL(url, diagnostics: diagnostics)
        case (nil, let project?):
            isOryNetwork = true
            baseURL = parseProject(project, diagnostics: diagnostics)
        case (_?, _?):
            diagnostics.error(
                "use either 'admin_url' (self-hosted Kratos) or 'project' (Ory Network), not both",
                at: options.keyNode("project") ?? options.node)
        case (nil, nil):
            diagnostics.error(
                "\(what(definition)) needs 'admin_url' (self-hosted Kratos' admin listener, such as "
                    + "http://kratos:4434) or 'project' (an Ory Network project slug)", at: options.node)
        }
        let token = parseToken(options, oryNetwork: isOryNetwork, diagnostics: diagnostics)
        let timeout = options.duration("timeout")
        if let timeout, let node = options.node("timeout"), !timeoutRange.contains(timeout) {
            diagnostics.error("'timeout' must be between 100ms and 5m, found \(node.displayValue)", at: node)
        }
        guard diagnostics.items.count == before, let baseURL else { return nil }
        return KratosSettings(
            baseURL: baseURL, isOryNetwork: isOryNetwork, token: token, timeout: timeout ?? defaultTimeout)
    }

    private static func what(_ definition: ActionDefinition) -> String { "action '\(definition.name)'" }

    /// An `http`/`https` URL with a host, no query, fragment or credentials; a trailing slash is
    /// dropped. Herald adds `/admin/identities/…`, so a URL already ending in `/admin` is refused:
    /// it would reach `/admin/admin/…`, which answers 404 like a deleted identity.
    static func parseAdminURL(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> String? {
        guard let text = ConfigMap.string(node, key: "admin_url", diagnostics: diagnostics) else { return nil }
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil, components.user == nil
        else {
            diagnostics.error(
                "'admin_url' must be an http or https URL without query or credentials, such as "
                    + "http://kratos:4434; found \(node.displayValue)", at: node)
            return nil
        }
        if components.path.lowercased().hasSuffix("/admin") {
            diagnostics.error(
                "'admin_url' is the admin listener's base URL, without '/admin' (Herald adds "
                    + "/admin/identities/…); found \(node.displayValue)", at: node)
            return nil
        }
        return trimmed
    }

    /// An Ory Network project slug (lower-case letters, digits and hyphens) → its API URL.
    static func parseProject(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> String? {
        guard let slug = ConfigMap.string(node, key: "project", diagnostics: diagnostics) else { return nil }
        let allowed = slug.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "-")
        }
        guard !slug.isEmpty, slug.count <= 63, allowed, !slug.hasPrefix("-"), !slug.hasSuffix("-") else {
            diagnostics.error(
                "'project' must be an Ory Network project slug (lower-case letters, digits and hyphens, as in "
                    + "https://SLUG.projects.oryapis.com); found \(node.displayValue)", at: node)
            return nil
        }
        return "https://\(slug).projects.oryapis.com"
    }

    /// The Bearer token: required for Ory Network, optional self-hosted (for a gateway in front of
    /// the admin listener, which Kratos itself does not protect). Its value is never quoted.
    private static func parseToken(
        _ options: ConfigMap, oryNetwork: Bool, diagnostics: ConfigDiagnostics
    ) -> String? {
        // Read leniently (an all-digit token is still a token) so that no message quotes it.
        guard let token = options.string("token", required: oryNetwork, acceptingScalars: true),
            let node = options.node("token")
        else { return nil }
        if token.trimmingSpaces().isEmpty {
            diagnostics.error("'token' is empty", at: node)
            return nil
        }
        if token.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) {
            diagnostics.error("'token' contains spaces or control characters; it cannot be sent in a header", at: node)
            return nil
        }
        if oryNetwork, !oryKeyPrefixes.contains(where: token.hasPrefix) {
            diagnostics.warning(
                "'token' does not start with ory_pat_ or ory_apikey_, as Ory Network API keys do", at: node)
        }
        return token
    }
}
