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
}
