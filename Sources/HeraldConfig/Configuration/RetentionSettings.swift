import HeraldCore

/// `retention:` — how long Herald keeps what it holds about people once it is no longer needed
/// to perform a job: dead letters (from when they died) and the files of outbox actions (from
/// when they were written). The daemon removes what is older, periodically.
///
/// ```yaml
/// retention:
///   dead_letters: 30d   # default 30d; at least 1s, at most ~10 years
///   outbox: 7d          # default 7d
/// ```
package struct RetentionSettings: Sendable, Equatable {
    package var deadLetters: Duration = .seconds(30 * 86_400)
    package var outbox: Duration = .seconds(7 * 86_400)

    package init() {}

    static let keys = ["dead_letters", "outbox"]

    /// How often the daemon looks for what expired: a tenth of the shorter period, between one
    /// second and one hour, so that nothing outlives its period by more than a tenth (or an hour).
    package var sweepInterval: Duration {
        min(max(min(deadLetters, outbox) / 10, .seconds(1)), .seconds(3600))
    }
}

extension ConfigurationBuilder {
    mutating func readRetention(_ node: ConfigNode) {
        guard let map = ConfigMap(node, keys: RetentionSettings.keys, what: "'retention'", diagnostics: diagnostics)
        else { return }
        if let value = period(map, "dead_letters") {
            retention.deadLetters = value
            if value < .seconds(3600), let at = map.node("dead_letters") {
                diagnostics.warning(
                    "dead letters are removed after \(value.compactDescription): an operator may not see them before they go",
                    at: at)
            }
        }
        if let value = period(map, "outbox") { retention.outbox = value }
    }

    private func period(_ map: ConfigMap, _ key: String) -> Duration? {
        guard let value = map.duration(key), let node = map.node(key) else { return nil }
        guard value >= .seconds(1) else {
            diagnostics.error("'\(key)' must be at least 1s, found \(node.displayValue)", at: node)
            return nil
        }
        return value
    }
}

extension HeraldConfiguration {
    /// The configured actions that keep personal data of their own (outbox files), by name.
    package var personalDataKeepers: [any PersonalDataKeeper] {
        actions.keys.sorted().compactMap { actions[$0] as? any PersonalDataKeeper }
    }
}
