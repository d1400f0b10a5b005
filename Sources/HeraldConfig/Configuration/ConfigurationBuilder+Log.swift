import HeraldCore

/// `log:` — format, level and whether personal data is masked.
extension ConfigurationBuilder {
    mutating func readLog(_ node: ConfigNode) {
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
