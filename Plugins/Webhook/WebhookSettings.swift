import FoundationEssentials
import HeraldCore

/// The options of one `plugin: webhook` action, validated.
struct WebhookSettings: Sendable {
    static let keys = ["url", "method", "headers", "timeout", "secrets", "content_type"]
    static let methods = ["POST", "PUT", "PATCH"]
    /// The spec asks senders to wait 15 to 30 seconds for an answer.
    static let defaultTimeout = Duration.seconds(15)
    static let timeoutRange = Duration.milliseconds(100)...Duration.seconds(300)
    static let defaultContentType = "application/json"
    /// Two secrets cover a rotation; a few more leave room for a slow one.
    static let maxSecrets = 5

    /// Where every job goes (the current configuration's, so that a fixed URL fixes queued jobs).
    var url: URL
    /// True when `url` came from a secret reference: it is then never printed.
    var urlIsSecret: Bool
    var method: String
    /// Extra headers in the order configured; their values are never printed.
    var headers: [WebhookHeader]
    var timeout: Duration
    var secrets: [WebhookSecret]
    var contentType: String

    /// Reads and checks `actions.NAME`, recording every problem; nil when any was found.
    static func parse(_ definition: ActionDefinition) -> WebhookSettings? {
        let diagnostics = definition.diagnostics
        let before = diagnostics.items.count
        guard let options = definition.options(keys: keys) else { return nil }
        let urlNode = options.node("url", required: true)
        let url = urlNode.flatMap { parseURL($0, diagnostics: diagnostics) }
        var method = "POST"
        if let text = options.string("method"), let node = options.node("method") {
            method = text.uppercased()
            if !methods.contains(method) {
                diagnostics.error("'method' must be POST, PUT or PATCH, found \(node.displayValue)", at: node)
            }
        }
        let headers = options.node("headers").map { WebhookHeader.parse($0, diagnostics: diagnostics) } ?? []
        let timeout = options.duration("timeout")
        if let timeout, let node = options.node("timeout"), !timeoutRange.contains(timeout) {
            diagnostics.error("'timeout' must be between 100ms and 5m, found \(node.displayValue)", at: node)
        }
        let secrets = options.node("secrets", required: true).flatMap { parseSecrets($0, diagnostics: diagnostics) }
        let contentType = options.node("content_type").flatMap { parseContentType($0, diagnostics: diagnostics) }
        guard diagnostics.items.count == before, let url, let secrets else { return nil }
        return WebhookSettings(
            url: url, urlIsSecret: urlNode?.scalar?.isSecret ?? false, method: method, headers: headers,
            timeout: timeout ?? defaultTimeout, secrets: secrets, contentType: contentType ?? defaultContentType)
    }

    /// An `http`/`https` URL with a host, without credentials or fragment. A query is kept.
    static func parseURL(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> URL? {
        // Read leniently and never quoted: the URL may hold a token and come from a secret.
        guard let text = ConfigMap.string(node, key: "url", diagnostics: diagnostics) else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.fragment == nil, components.user == nil, components.password == nil,
            let url = components.url
        else {
            // A URL read from a secret that was not read (`check --no-secrets`): nothing to check.
            if node.scalar?.holdsUnreadSecret == true, let placeholder = URL(string: "https://unread-secret.invalid/") {
                return placeholder
            }
            diagnostics.error(
                "'url' must be an http or https URL with a host and without credentials or fragment, such as "
                    + "https://hooks.example.com/herald; found \(node.displayValue)", at: node)
            return nil
        }
        if scheme == "http", !isLoopback(host) {
            diagnostics.warning(
                "'url' is plain http: the signature proves who sent the event, but anyone on the way can read it; "
                    + "prefer https", at: node)
        }
        return url
    }

    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// A list of 1 to `maxSecrets` `whsec_…` secrets; a single one is taken as a list. Messages
    /// name a secret by its position, never by its value.
    static func parseSecrets(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> [WebhookSecret]? {
        let items = node.scalar != nil ? [node] : (node.sequence ?? [])
        guard node.scalar != nil || node.sequence != nil, !items.isEmpty, items.count <= maxSecrets else {
            diagnostics.error(
                "'secrets' must be a list of 1 to \(maxSecrets) Standard Webhooks secrets (whsec_…), found "
                    + (node.sequence.map { "\($0.count) items" } ?? node.kindDescription), at: node)
            return nil
        }
        var secrets: [WebhookSecret] = []
        for (index, item) in items.enumerated() {
            let which = items.count == 1 ? "the secret" : "secret \(index + 1)"
            guard let scalar = item.scalar, !item.isNull else {
                diagnostics.error("'secrets': \(which) must be text, found \(item.kindDescription)", at: item)
                continue
            }
            // Not read (`check --no-secrets`, `herald queue --config`): nothing to check, and
            // nothing is ever signed with it.
            if scalar.holdsUnreadSecret {
                secrets.append(WebhookSecret(unread: scalar.text, position: index))
                continue
            }
            do {
                let secret = try WebhookSecret(scalar.text)
                if !WebhookSecret.advisedLength.contains(secret.key.count) {
                    diagnostics.warning(
                        "'secrets': \(which) decodes to \(secret.key.count) bytes; Standard Webhooks advises 24 to 64 "
                            + "random bytes", at: item)
                }
                secrets.append(secret)
            } catch {
                let problem: String
                switch error {
                case .missingPrefix: problem = "does not start with whsec_"
                case .notBase64: problem = "is not whsec_ followed by base64"
                case .empty: problem = "is empty after whsec_"
                }
                diagnostics.error(
                    "'secrets': \(which) \(problem) (a Standard Webhooks secret is whsec_ and the base64 of 24 to 64 "
                        + "random bytes, e.g. from: openssl rand -base64 32)", at: item)
            }
        }
        if Set(secrets.map(\.key)).count != secrets.count {
            diagnostics.error("'secrets' lists the same secret twice", at: node)
        }
        return secrets.count == items.count ? secrets : nil
    }

    /// A media type such as `application/json` or `text/plain; charset=utf-8`.
    static func parseContentType(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> String? {
        guard let text = ConfigMap.string(node, key: "content_type", diagnostics: diagnostics) else { return nil }
        let type = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let parts = type.trimmingSpaces().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && WebhookHeader.isToken($0) }),
            !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
        else {
            diagnostics.error(
                "'content_type' must be a media type such as application/json, found \(node.displayValue)", at: node)
            return nil
        }
        return text
    }
}
