/// One problem found in the configuration, at a position: an error, which stops the
/// configuration from loading, or a warning, which does not.
package struct ConfigDiagnostic: Sendable, Hashable, CustomStringConvertible {
    package var location: SourceLocation
    package var message: String
    /// A warning says something is probably not what was meant; the configuration still loads.
    package var isWarning: Bool

    package init(_ message: String, at location: SourceLocation, isWarning: Bool = false) {
        self.location = location
        self.message = message
        self.isWarning = isWarning
    }

    /// `file:line:column: message`, or `file:line:column: warning: message`
    package var description: String { "\(location): \(isWarning ? "warning: " : "")\(message)" }
}

/// Collects every problem of a configuration so that all of them are reported at once.
///
/// Loading code records into one collector and keeps going; nothing starts unless the collector
/// is empty at the end. Not thread-safe: a load runs on one thread.
package final class ConfigDiagnostics {
    /// The errors.
    package private(set) var items: [ConfigDiagnostic] = []
    /// The warnings: reported, but they do not stop the configuration from loading.
    package private(set) var warnings: [ConfigDiagnostic] = []

    package init() {}

    /// True when there is no error (warnings do not count).
    package var isEmpty: Bool { items.isEmpty }

    package func warning(_ message: String, at location: SourceLocation) {
        warnings.append(ConfigDiagnostic(message, at: location, isWarning: true))
    }

    package func warning(_ message: String, at node: ConfigNode) {
        warning(message, at: node.location)
    }

    /// The warnings sorted by position, without repeats.
    package var sortedWarnings: [ConfigDiagnostic] {
        var seen = Set<ConfigDiagnostic>()
        return warnings.sorted { $0.location < $1.location }.filter { seen.insert($0).inserted }
    }

    /// Places whose node stands in for something already reported (an alias): a type error
    /// about the stand-in would only repeat that report in other words.
    private var standIns: Set<SourceLocation> = []

    package func error(_ message: String, at location: SourceLocation) {
        guard !standIns.contains(location) else { return }
        items.append(ConfigDiagnostic(message, at: location))
    }

    /// Reports `message` at `location` and keeps every later error there quiet.
    package func errorForStandIn(_ message: String, at location: SourceLocation) {
        error(message, at: location)
        standIns.insert(location)
    }

    package func error(_ message: String, at node: ConfigNode) {
        error(message, at: node.location)
    }

    /// True when a problem was already reported at `location` (so a follow-on check can stay quiet).
    package func hasProblem(at location: SourceLocation?) -> Bool {
        guard let location else { return false }
        return items.contains { $0.location == location }
    }

    /// The problems sorted by position, without repeats.
    package var sorted: [ConfigDiagnostic] {
        var seen = Set<ConfigDiagnostic>()
        return items.sorted { $0.location < $1.location }.filter { seen.insert($0).inserted }
    }
}

/// Thrown when a configuration has problems; carries all of them.
package struct ConfigError: Error, Sendable, CustomStringConvertible {
    package var diagnostics: [ConfigDiagnostic]

    package init(_ diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    package var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
