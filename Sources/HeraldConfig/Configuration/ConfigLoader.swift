import FoundationEssentials
import HeraldCore

/// Reads `herald.yaml` (or the embedded default) and its drop-ins, resolves secrets, and
/// compiles everything: settings, actions through their plugins, routes into a `RuleSet`.
///
/// Every problem of every file is collected; nothing is returned unless there are none.
package struct ConfigLoader: Sendable {
    package let plugins: PluginRegistry
    package let secrets: SecretResolver

    package init(plugins: PluginRegistry, secrets: SecretResolver = SecretResolver()) {
        self.plugins = plugins
        self.secrets = secrets
    }

    /// The name under which the embedded default appears in messages.
    package static let defaultSourceName = "<embedded default>"

    /// Loads `path`, or the embedded default when `path` is nil.
    package func load(path: String?) -> ConfigLoadResult {
        let diagnostics = ConfigDiagnostics()
        let yaml = YAMLLoader()
        let file = path ?? ConfigLoader.defaultSourceName
        let root: ConfigNode?
        if let path {
            root = yaml.load(contentsOf: path, diagnostics: diagnostics)
        } else {
            root = yaml.load(text: DefaultConfiguration.yaml, file: file, diagnostics: diagnostics)
        }
        guard let root else {
            return ConfigLoadResult(
                configuration: nil, diagnostics: diagnostics.sorted, warnings: diagnostics.sortedWarnings,
                sources: yaml.sources)
        }
        var secretValues: [String] = []
        let resolved = secrets.resolve(root, diagnostics: diagnostics)
        collectSecrets(resolved, into: &secretValues)
        collectReferenceValues(root, into: &secretValues)
        var builder = ConfigurationBuilder(
            plugins: plugins, diagnostics: diagnostics, mainFile: file, baseDirectory: directory(of: path))
        builder.readMain(resolved)
        for include in builder.includes {
            guard let node = yaml.load(contentsOf: include.path, diagnostics: diagnostics) else { continue }
            let resolvedInclude = secrets.resolve(node, diagnostics: diagnostics)
            collectSecrets(resolvedInclude, into: &secretValues)
            collectReferenceValues(node, into: &secretValues)
            builder.readDropIn(resolvedInclude, file: include.path)
        }
        var configuration = builder.build(source: file, secrets: secretValues)
        if let path {
            configuration.routeTestFiles = routeTestFiles(
                in: [directory(of: path)] + builder.includes.map { directory(of: $0.path) })
        }
        return ConfigLoadResult(
            configuration: diagnostics.isEmpty ? configuration : nil,
            diagnostics: Self.redacting(diagnostics.sorted, secretValues),
            warnings: Self.redacting(diagnostics.sortedWarnings, secretValues), sources: yaml.sources)
    }

    /// The diagnostics with every secret value replaced by `<secret>`: a message may quote a value
    /// it rejects (`'…' is not a listen address`), and that value may come from a secret reference.
    private static func redacting(_ items: [ConfigDiagnostic], _ secrets: [String]) -> [ConfigDiagnostic] {
        let secrets = secrets.filter { $0.count >= RemoteTextRedactor.shortestSecret }.sorted { $0.count > $1.count }
        guard !secrets.isEmpty else { return items }
        return items.map { item in
            var item = item
            for secret in secrets { item.message = item.message.replacing(secret, with: "<secret>") }
            return item
        }
    }

    /// The value of each secret reference in `node` (not yet resolved) on its own: a scalar such as
    /// `"Bearer ${env:TOKEN}"` is collected whole by `collectSecrets`, but a message may quote only
    /// the part that holds the secret.
    private func collectReferenceValues(_ node: ConfigNode, into values: inout [String]) {
        switch node.content {
        case .scalar(let scalar):
            // Most scalars hold no reference; Foundation's range(of:) is costly to ask (4% of
            // loading 1,000 routes).
            guard scalar.text.utf8.contains(UInt8(ascii: "$")) else { return }
            var rest = scalar.text[...]
            while let start = rest.firstRange(of: "${") {
                // `$${` is a literal `${`, not a reference.
                if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                    rest = rest[start.upperBound...]
                    continue
                }
                guard let close = rest[start.upperBound...].firstIndex(of: "}") else { break }
                let reference = ConfigNode.scalar(String(rest[start.lowerBound...close]), at: node.location)
                // Problems with the reference were reported when the tree was resolved.
                let value = secrets.resolve(reference, diagnostics: ConfigDiagnostics()).scalar?.text ?? ""
                if !value.isEmpty { values.append(value) }
                rest = rest[rest.index(after: close)...]
            }
        case .sequence(let items):
            for item in items { collectReferenceValues(item, into: &values) }
        case .mapping(let pairs):
            for pair in pairs { collectReferenceValues(pair.value, into: &values) }
        }
    }

    /// Every scalar that came from a secret reference, so output can be scrubbed of it.
    private func collectSecrets(_ node: ConfigNode, into values: inout [String]) {
        switch node.content {
        case .scalar(let scalar):
            if scalar.isSecret, !scalar.text.isEmpty { values.append(scalar.text) }
        case .sequence(let items):
            for item in items { collectSecrets(item, into: &values) }
        case .mapping(let pairs):
            for pair in pairs { collectSecrets(pair.value, into: &values) }
        }
    }
}

/// What a load produced: the configuration, or the problems and the text needed to show them.
package struct ConfigLoadResult {
    package var configuration: HeraldConfiguration?
    /// The errors; empty when `configuration` is set.
    package var diagnostics: [ConfigDiagnostic]
    /// What is probably not meant but does not stop the load (an unused action, no routes).
    package var warnings: [ConfigDiagnostic] = []
    package var sources: SourceCache

    /// The problems rendered like a compiler's, with the source line and a caret.
    package var renderedDiagnostics: String {
        DiagnosticRenderer(sources: sources).render(diagnostics)
    }

    /// The warnings rendered the same way; empty text when there are none.
    package var renderedWarnings: String {
        warnings.isEmpty ? "" : DiagnosticRenderer(sources: sources).render(warnings)
    }
}

/// The directory relative paths in `path` are resolved against: its directory, or the current
/// directory for the embedded default.
func directory(of path: String?) -> String {
    guard let path else { return FileManager.default.currentDirectoryPath }
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().path
}
