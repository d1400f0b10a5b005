import Foundation
import HeraldConfig
import HeraldCore
import HeraldTestSupport

/// Loads `text` as `t.yaml` and returns the root and the diagnostics as `file:line:column: message`.
func load(_ text: String, _ configure: (inout YAMLLoader) -> Void = { _ in }) -> (ConfigNode?, [String]) {
    var loader = YAMLLoader()
    configure(&loader)
    let diagnostics = ConfigDiagnostics()
    let node = loader.load(text: text, file: "t.yaml", diagnostics: diagnostics)
    return (node, diagnostics.items.map(\.description))
}

/// `line:column` of a node, for compact position checks.
func position(_ node: ConfigNode?) -> String {
    guard let node else { return "none" }
    return "\(node.location.line):\(node.location.column)"
}

extension ConfigNode {
    /// The value of `key` in a mapping.
    subscript(key: String) -> ConfigNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }

    /// The key node of `key` in a mapping.
    func keyNode(_ key: String) -> ConfigNode? {
        mapping?.first { $0.key.scalar?.text == key }?.key
    }

    /// Item `index` of a sequence.
    subscript(index: Int) -> ConfigNode? {
        guard let items = sequence, items.indices.contains(index) else { return nil }
        return items[index]
    }
}

/// A fresh temporary directory, removed by `body`'s caller when done.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("herald-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

func write(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
}

func write(_ text: String, to path: String) throws {
    try write(Array(text.utf8), to: path)
}

/// Loads `text` as a whole `herald.yaml` with the recording plugin, as `herald check` would.
func loadConfiguration(_ text: String, secrets: SecretResolver = SecretResolver()) throws -> ConfigLoadResult {
    try withTemporaryDirectory { directory in
        let path = directory + "/herald.yaml"
        try write(text, to: path)
        return ConfigLoader(plugins: PluginRegistry([RecordingPlugin.self]), secrets: secrets).load(path: path)
    }
}

/// An action `rec` of the recording plugin and one route to it: what a test of another section
/// needs to make a whole configuration.
let recordingRoute = """
    actions:
      rec: { plugin: recording }
    routes:
      - name: r
        events: [registration.after]
        do: [{ action: rec, to: "{{recipient}}" }]
    """
