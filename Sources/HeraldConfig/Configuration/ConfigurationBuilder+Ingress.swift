import HeraldCore

/// `ingress:` — Kratos' credentials (checked against the listeners), the HTTP limits, the dedupe
/// window and Mandrill's webhooks (design §3). `readCredentials` serves `privacy_api.auth` too.
extension ConfigurationBuilder {
    mutating func readIngress(_ node: ConfigNode) {
        guard
            let map = ConfigMap(
                node, keys: ["auth", "insecure_no_auth", "limits", "dedupe_window", "mandrill_webhooks"],
                what: "'ingress'", diagnostics: diagnostics)
        else { return }
        if let webhooks = map.node("mandrill_webhooks") { ingress.mandrillWebhooks = readMandrillWebhooks(webhooks) }
        if let window = map.duration("dedupe_window") { ingress.dedupeWindow = window }
        if let auth = map.node("auth") {
            authNode = auth
            ingress.credentials = readCredentials(auth)
        }
        if let flag = map.bool("insecure_no_auth") {
            ingress.insecureNoAuth = flag
            insecureNode = map.node("insecure_no_auth")
        }
        if let limits = map.node("limits") { readLimits(limits) }
    }

    private func readMandrillWebhooks(_ node: ConfigNode) -> MandrillWebhookSettings? {
        guard
            let map = ConfigMap(
                node, keys: ["url", "keys", "dedupe_window", "max_body_bytes"], what: "'mandrill_webhooks'",
                diagnostics: diagnostics)
        else { return nil }
        guard let url = map.string("url", required: true) else { return nil }
        let lowered = url.lowercased()
        guard (lowered.hasPrefix("https://") || lowered.hasPrefix("http://")), !url.contains(" "), url.count > 8
        else {
            diagnostics.error(
                "'url' must be the absolute http(s) URL registered in Mandrill (it is part of the signature)",
                at: map.node("url") ?? node)
            return nil
        }
        var settings = MandrillWebhookSettings(url: url)
        let path = url.split(separator: "?", maxSplits: 1)[0]
        if !path.hasSuffix("/v1/mandrill/events") {
            diagnostics.warning(
                "Herald receives Mandrill's events at /v1/mandrill/events; this URL's path ends otherwise (fine behind a proxy that rewrites it)",
                at: map.node("url") ?? node)
        }
        if let keys = map.stringList("keys") {
            for (index, key) in keys.enumerated() where key.isEmpty {
                diagnostics.error("webhook key \(index + 1) is empty", at: map.node("keys") ?? node)
            }
            settings.keys = keys.filter { !$0.isEmpty }
        }
        if let window = map.duration("dedupe_window") {
            // Events older than the window are refused as replays, so it must outlast Mandrill's
            // own retries of a batch (up to ~8 h) with room for a batch that waited behind another.
            if window < MandrillWebhookSettings.minimumDedupeWindow, let at = map.node("dedupe_window") {
                diagnostics.error(
                    "'dedupe_window' must be at least 12h: Mandrill posts a batch again for up to ~8 h, and events "
                        + "older than the window are refused as replays", at: at)
            }
            settings.dedupeWindow = window
        }
        if let bytes = map.int("max_body_bytes", in: 1024...(64 << 20)) { settings.maxBodyBytes = bytes }
        return settings
    }

    func readCredentials(_ node: ConfigNode) -> [IngressCredential] {
        guard let items = node.sequence else {
            diagnostics.error(
                "'auth' must be a list of credentials (api_key or basic_auth), found \(node.kindDescription)", at: node)
            return []
        }
        var credentials: [IngressCredential] = []
        for item in items {
            guard
                let entry = ConfigMap(
                    item, keys: ["api_key", "basic_auth"], what: "an 'auth' entry", diagnostics: diagnostics)
            else { continue }
            if entry.presentKeys.count != 1 {
                diagnostics.error("each 'auth' entry is either api_key or basic_auth", at: item)
                continue
            }
            if let apiKey = entry.node("api_key"),
                let map = ConfigMap(
                    apiKey, keys: ["header", "cookie", "value"], what: "'api_key'", diagnostics: diagnostics)
            {
                let header = map.string("header")
                let cookie = map.string("cookie")
                guard let value = map.string("value", required: true) else { continue }
                if (header == nil) == (cookie == nil) {
                    diagnostics.error("'api_key' needs exactly one of 'header' or 'cookie'", at: apiKey)
                    continue
                }
                if value.count < 16, !diagnostics.hasProblem(at: map.node("value")?.location) {
                    diagnostics.error(
                        "the api_key value is too short to be a secret; use at least 16 characters",
                        at: map.node("value") ?? apiKey)
                    continue
                }
                credentials.append(.apiKey(name: header ?? cookie ?? "", value: value, inCookie: cookie != nil))
            }
            if let basic = entry.node("basic_auth"),
                let map = ConfigMap(basic, keys: ["user", "password"], what: "'basic_auth'", diagnostics: diagnostics)
            {
                guard let user = map.string("user", required: true, acceptingScalars: true),
                    let password = map.string("password", required: true, acceptingScalars: true)
                else { continue }
                if user.contains(":") {
                    diagnostics.error("a basic_auth user cannot contain ':'", at: map.node("user") ?? basic)
                    continue
                }
                if password.count < 12, !diagnostics.hasProblem(at: map.node("password")?.location) {
                    diagnostics.error(
                        "the basic_auth password is too short to be a secret; use at least 12 characters",
                        at: map.node("password") ?? basic)
                    continue
                }
                credentials.append(.basicAuth(user: user, password: password))
            }
        }
        return credentials
    }

    private mutating func readLimits(_ node: ConfigNode) {
        let keys = [
            "max_request_line_bytes", "max_header_bytes", "max_header_fields", "max_body_bytes", "max_connections",
            "header_timeout", "body_timeout", "idle_timeout",
        ]
        guard let map = ConfigMap(node, keys: keys, what: "'ingress.limits'", diagnostics: diagnostics) else { return }
        var limits = ingress.limits
        if let value = map.int("max_request_line_bytes", in: 256...(1 << 20)) { limits.maxRequestLineBytes = value }
        if let value = map.int("max_header_bytes", in: 1024...(1 << 22)) { limits.maxHeaderBytes = value }
        if let value = map.int("max_header_fields", in: 8...10_000) { limits.maxHeaderFields = value }
        if let value = map.int("max_body_bytes", in: 1024...(64 << 20)) { limits.maxBodyBytes = value }
        if let value = map.int("max_connections", in: 1...100_000) { limits.maxConnections = value }
        // A zero read timeout closes every connection before its request arrives.
        if let value = map.duration("header_timeout", atLeast: .milliseconds(100)) { limits.headerTimeout = value }
        if let value = map.duration("body_timeout", atLeast: .milliseconds(100)) { limits.bodyTimeout = value }
        if let value = map.duration("idle_timeout") { limits.idleTimeout = value }
        ingress.limits = limits
    }

    /// No credentials → only allowed with `insecure_no_auth: true` and local listeners (design §3).
    func checkAuthentication() {
        let exposed = listeners.filter { !$0.isLocalOnly }
        let at = insecureNode ?? listenNode ?? rootNode
        if ingress.insecureNoAuth {
            if !exposed.isEmpty, let at {
                diagnostics.error(
                    "insecure_no_auth is only allowed when every listener is loopback or a unix socket; \(exposed.map(\.description).joined(separator: ", ")) is reachable from other machines",
                    at: at)
            }
        } else if ingress.credentials.isEmpty, authNode.map({ $0.sequence?.isEmpty ?? true }) ?? true, let at {
            diagnostics.error(
                "no ingress credentials: add ingress.auth (api_key or basic_auth), or set ingress.insecure_no_auth: true with loopback-only listeners",
                at: at)
        }
    }
}
