import HeraldCore

/// Reads the sections of the main file and its drop-ins into settings, actions and routes,
/// recording every problem. Used once per load by `ConfigLoader`.
struct ConfigurationBuilder {
    static let topLevelKeys = [
        "listen", "state_dir", "store", "ingress", "delivery", "log", "retention", "privacy_api", "console",
        "tracing", "actions", "routes", "include",
    ]
    static let dropInKeys = ["actions", "routes"]

    let plugins: PluginRegistry
    let diagnostics: ConfigDiagnostics
    let mainFile: String
    let baseDirectory: String

    var listeners: [ListenAddress] = [.tcp(host: "127.0.0.1", port: 4470)]
    var listenNode: ConfigNode?
    var stateDirectory = "/var/lib/herald"
    var ingress = IngressSettings()
    var insecureNode: ConfigNode?
    /// `ingress.auth` as written, even when its entries had problems (reported already).
    var authNode: ConfigNode?
    var delivery = DeliverySettings()
    var store = StoreSettings.local
    var log = LogSettings()
    var console: ConsoleSettings?
    var consoleNode: ConfigNode?
    /// `tracing:`; nil (off) unless the section is there.
    var tracing: TracingSettings?
    var retention = RetentionSettings()
    /// `privacy_api.auth`; nil when the personal-data API is off.
    var privacyAPI: [IngressCredential]?
    var privacyAPINode: ConfigNode?
    /// `actions:` entries in file order, across files.
    var actionNodes: [(name: String, key: ConfigNode, value: ConfigNode, baseDirectory: String)] = []
    /// `routes:` items in file order, across files.
    var routeNodes: [(node: ConfigNode, baseDirectory: String)] = []
    /// Drop-in files to read, in order.
    var includes: [(path: String, node: ConfigNode)] = []
    var rootNode: ConfigNode?

    init(plugins: PluginRegistry, diagnostics: ConfigDiagnostics, mainFile: String, baseDirectory: String) {
        self.plugins = plugins
        self.diagnostics = diagnostics
        self.mainFile = mainFile
        self.baseDirectory = baseDirectory
    }

    mutating func readMain(_ root: ConfigNode) {
        rootNode = root
        guard let map = ConfigMap(root, keys: Self.topLevelKeys, what: "the configuration", diagnostics: diagnostics)
        else { return }
        if let node = map.node("listen") { readListeners(node) }
        if let directory = map.string("state_dir") {
            stateDirectory = joinedPath(baseDirectory, directory)
        }
        if let node = map.node("store") { readStore(node) }
        if let node = map.node("ingress") { readIngress(node) }
        if let node = map.node("delivery") { readDelivery(node) }
        if let node = map.node("log") { readLog(node) }
        if let node = map.node("console") { readConsole(node) }
        if let node = map.node("tracing") { readTracing(node) }
        if let node = map.node("retention") { readRetention(node) }
        if let node = map.node("privacy_api") { readPrivacyAPI(node) }
        readActionsAndRoutes(map, baseDirectory: baseDirectory)
        if let node = map.node("include") { readIncludes(node) }
    }

    mutating func readDropIn(_ root: ConfigNode, file: String) {
        guard let map = ConfigMap(root, keys: Self.dropInKeys, what: "drop-in \(file)", diagnostics: diagnostics)
        else { return }
        readActionsAndRoutes(map, baseDirectory: directory(of: file))
    }

    private mutating func readActionsAndRoutes(_ map: ConfigMap, baseDirectory: String) {
        if let node = map.node("actions") {
            if let pairs = node.mapping {
                for pair in pairs {
                    guard let name = pair.key.scalar?.text else { continue }
                    actionNodes.append((name, pair.key, pair.value, baseDirectory))
                }
            } else if !node.isNull {
                diagnostics.error(
                    "'actions' must be a map of action names to settings, found \(node.kindDescription)", at: node)
            }
        }
        if let node = map.node("routes") {
            if let items = node.sequence {
                routeNodes += items.map { ($0, baseDirectory) }
            } else if !node.isNull {
                diagnostics.error("'routes' must be a list of routes, found \(node.kindDescription)", at: node)
            }
        }
    }

    private mutating func readIncludes(_ node: ConfigNode) {
        guard let patterns = ConfigMap.stringList(node, key: "include", diagnostics: diagnostics) else { return }
        let items = node.sequence ?? [node]
        for (pattern, item) in zip(patterns, items) {
            do {
                let files = try expandInclude(pattern, relativeTo: mainFile)
                if files.isEmpty {
                    // An include that matches nothing is almost always a config copied away from
                    // its drop-ins; silently loading zero routes from it hides that.
                    diagnostics.error(
                        "include '\(pattern)' matches no file (looked for \(path(pattern, relativeToDirectoryOf: mainFile)))",
                        at: item)
                }
                includes += files.map { ($0, item) }
            } catch {
                diagnostics.error("include '\(pattern)': \(error)", at: item)
            }
        }
    }

    private mutating func readListeners(_ node: ConfigNode) {
        listenNode = node
        guard let texts = ConfigMap.stringList(node, key: "listen", diagnostics: diagnostics) else { return }
        let items = node.sequence ?? [node]
        var parsed: [ListenAddress] = []
        for (text, item) in zip(texts, items) {
            if let address = ListenAddress(text) {
                parsed.append(address)
            } else {
                diagnostics.error(
                    "'\(text)' is not a listen address; use host:port with an IP address (127.0.0.1:4470, [::1]:4470, :4470) or unix:/path",
                    at: item)
            }
        }
        if texts.isEmpty { diagnostics.error("'listen' needs at least one address", at: node) }
        listeners = parsed
    }

    private mutating func readIngress(_ node: ConfigNode) {
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
        if let value = map.duration("header_timeout") { limits.headerTimeout = value }
        if let value = map.duration("body_timeout") { limits.bodyTimeout = value }
        if let value = map.duration("idle_timeout") { limits.idleTimeout = value }
        ingress.limits = limits
    }

    private mutating func readDelivery(_ node: ConfigNode) {
        guard
            let map = ConfigMap(
                node, keys: ["retry", "concurrency", "timeout"], what: "'delivery'", diagnostics: diagnostics)
        else { return }
        if let value = map.int("concurrency", in: 1...1024) { delivery.concurrency = value }
        if let value = map.duration("timeout") { delivery.attemptTimeout = value }
        guard let retryNode = map.node("retry"),
            let retry = ConfigMap(
                retryNode, keys: ["schedule", "jitter", "max_age"], what: "'delivery.retry'", diagnostics: diagnostics)
        else { return }
        if let schedule = retry.node("schedule") {
            if let items = schedule.sequence, !items.isEmpty {
                let durations = items.compactMap { ConfigMap.duration($0, key: "schedule", diagnostics: diagnostics) }
                if durations.count == items.count { delivery.retrySchedule = durations }
            } else {
                diagnostics.error(
                    "'schedule' must be a non-empty list of durations such as [5s, 30s, 2m]", at: schedule)
            }
        }
        if let value = retry.double("jitter", in: 0...1) { delivery.jitter = value }
        if let value = retry.duration("max_age") { delivery.maxAge = value }
        // max_age counts from when a job is due (after its route's delay), so a delay never uses
        // it up; but a max_age shorter than the first wait leaves no room for any retry.
        if let first = delivery.retrySchedule.first, delivery.maxAge < first {
            diagnostics.warning(
                "max_age \(delivery.maxAge.compactDescription) is shorter than the first retry wait \(first.compactDescription): a failed attempt is never retried",
                at: retry.node("max_age") ?? retryNode)
        }
    }

    private mutating func readLog(_ node: ConfigNode) {
        guard
            let map = ConfigMap(
                node, keys: ["format", "level", "personal_data"], what: "'log'", diagnostics: diagnostics)
        else { return }
        if let format = map.string("format") {
            if let value = LogSettings.Format(rawValue: format) {
                log.format = value
            } else {
                diagnostics.error("'format' must be logfmt or json, found '\(format)'", at: map.node("format") ?? node)
            }
        }
        if let level = map.string("level") {
            if let value = LogLevel(name: level) {
                log.level = value
            } else {
                diagnostics.error(
                    "'level' must be debug, info, warn or error, found '\(level)'", at: map.node("level") ?? node)
            }
        }
        if let mode = map.string("personal_data") {
            switch mode {
            case "mask": log.showPersonalData = false
            case "show": log.showPersonalData = true
            default:
                diagnostics.error(
                    "'personal_data' must be mask or show, found '\(mode)'", at: map.node("personal_data") ?? node)
            }
        }
    }
}
