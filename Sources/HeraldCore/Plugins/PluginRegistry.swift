/// The action plugins a build of Herald offers, by `kind`. Built explicitly in `main` from a
/// list of plugin types and passed down; there is no global registry.
public struct PluginRegistry: Sendable {
    public let plugins: [any ActionPlugin.Type]

    public init(_ plugins: [any ActionPlugin.Type]) {
        self.plugins = plugins
    }

    /// The plugin whose `kind` is `kind`.
    public func plugin(kind: String) -> (any ActionPlugin.Type)? {
        plugins.first { $0.kind == kind }
    }

    /// Every kind, sorted, for messages.
    public var kinds: [String] { plugins.map { $0.kind }.sorted() }
}
