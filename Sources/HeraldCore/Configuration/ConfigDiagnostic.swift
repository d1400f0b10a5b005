/// One problem found in the configuration, at a position.
public struct ConfigDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`
    public var description: String { "\(location): \(message)" }
}

/// Collects every problem of a configuration so that all of them are reported at once.
///
/// Loading code records into one collector and keeps going; nothing starts unless the collector
/// is empty at the end. Not thread-safe: a load runs on one thread.
public final class ConfigDiagnostics {
    public private(set) var items: [ConfigDiagnostic] = []

    public init() {}

    public var isEmpty: Bool { items.isEmpty }

    public func error(_ message: String, at location: SourceLocation) {
        items.append(ConfigDiagnostic(message, at: location))
    }

    public func error(_ message: String, at node: ConfigNode) {
        error(message, at: node.location)
    }

    /// True when a problem was already reported at `location` (so a follow-on check can stay quiet).
    public func hasProblem(at location: SourceLocation?) -> Bool {
        guard let location else { return false }
        return items.contains { $0.location == location }
    }

    /// The problems sorted by position, without repeats.
    public var sorted: [ConfigDiagnostic] {
        var seen = Set<ConfigDiagnostic>()
        return items.sorted { $0.location < $1.location }.filter { seen.insert($0).inserted }
    }
}

/// Thrown when a configuration has problems; carries all of them.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(_ diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
