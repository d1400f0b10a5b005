import HeraldCore

/// Reads one YAML document into a `ConfigNode` tree with the position of every node.
///
/// Strict on purpose: duplicate keys, anchors and aliases (which also defeats "billion laughs"
/// bombs), merge keys, more than one document, tags other than the core ones, keys that are not
/// single values, nesting deeper than `maxDepth`, more than `maxNodes` nodes and files larger
/// than `maxFileBytes` are all errors at the line and column where they occur. Syntax errors
/// carry libyaml's own description. Every text read is stored in `sources` for
/// `DiagnosticRenderer`.
///
/// ```swift
/// let diagnostics = ConfigDiagnostics()
/// let loader = YAMLLoader()
/// guard let root = loader.load(contentsOf: "/etc/herald/herald.yaml", diagnostics: diagnostics),
///       diagnostics.isEmpty else { … }
/// ```
package struct YAMLLoader: Sendable {
    /// Larger files are refused before parsing.
    package var maxFileBytes: Int = 1 << 20
    /// Mappings and sequences nested deeper than this stop the load.
    package var maxDepth: Int = 64
    /// Documents with more nodes than this stop the load.
    package var maxNodes: Int = 100_000
    /// Where the texts read are kept for quoting in diagnostics.
    package let sources: SourceCache
    /// What the files read are, in the message for one that cannot be read or is too large.
    package var fileKind = "configuration file"

    package init(sources: SourceCache = SourceCache()) {
        self.sources = sources
    }

    /// Parses one YAML document from `text`.
    ///
    /// - Parameters:
    ///   - file: the name used in positions and in `sources`.
    ///   - diagnostics: receives every problem found.
    /// - Returns: the document's root node (a null scalar for an empty document), or nil when the
    ///   text cannot be read as YAML at all. A non-nil result may still come with errors (a
    ///   duplicate key, say): check `diagnostics`.
    package func load(text: String, file: String, diagnostics: ConfigDiagnostics) -> ConfigNode? {
        load(bytes: Array(text.utf8), file: file, diagnostics: diagnostics)
    }

    /// Reads and parses the file at `path`; an unreadable or too large file is reported at
    /// `path:1:1`.
    package func load(contentsOf path: String, diagnostics: ConfigDiagnostics) -> ConfigNode? {
        let bytes: [UInt8]
        do {
            bytes = try readFileBytes(atPath: path, limit: maxFileBytes)
        } catch {
            diagnostics.error(message(for: error), at: SourceLocation(file: path, line: 1, column: 1))
            return nil
        }
        return load(bytes: bytes, file: path, diagnostics: diagnostics)
    }

    /// Parses raw bytes, which may not be valid UTF-8 (that is reported, with its position).
    func load(bytes: [UInt8], file: String, diagnostics: ConfigDiagnostics) -> ConfigNode? {
        guard bytes.count <= maxFileBytes else {
            let error = ConfigFileError.tooLarge(path: file, size: bytes.count, limit: maxFileBytes)
            diagnostics.error(message(for: error), at: SourceLocation(file: file, line: 1, column: 1))
            return nil
        }
        // libyaml would skip a byte order mark only when it detects the encoding itself, and we
        // fix the encoding to UTF-8; dropping it here keeps line 1's columns right.
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        sources.store(String(decoding: body, as: UTF8.self), for: file)
        var builder = YAMLTreeBuilder(file: file, maxDepth: maxDepth, maxNodes: maxNodes, diagnostics: diagnostics)
        return builder.build(from: body)
    }

    private func message(for error: ConfigFileError) -> String {
        switch error {
        case .unreadable(_, let reason):
            return "cannot read the \(fileKind): \(reason)"
        case .tooLarge(_, let size, let limit):
            return "the \(fileKind) is \(size) bytes, more than the limit of \(limit) bytes"
        case .badPattern:
            return error.description
        }
    }
}
