/// The action plugins a build of Herald offers, by `kind`. Built explicitly in `main` from a
/// list of plugin types and passed down; there is no global registry.
package struct PluginRegistry: Sendable {
    package let plugins: [any ActionPlugin.Type]

    package init(_ plugins: [any ActionPlugin.Type]) {
        self.plugins = plugins
    }

    /// The plugin whose `kind` is `kind`.
    package func plugin(kind: String) -> (any ActionPlugin.Type)? {
        plugins.first { $0.kind == kind }
    }

    /// Every kind, sorted, for messages.
    package var kinds: [String] { plugins.map { $0.kind }.sorted() }
}
