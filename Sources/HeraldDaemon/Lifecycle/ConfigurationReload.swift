import HeraldConfig
import HeraldCore

/// SIGHUP (design §9): the one step that changes what a running daemon does. Loads and validates
/// the whole new configuration; on any problem the running one stays and the log says why.
/// Otherwise it builds the new snapshot and puts it in force at once, so that ingress and
/// delivery change together, and names the settings only a restart applies (listeners, state
/// directory, store, logs, ingress limits). Jobs already stored are unaffected; attempts under way
/// finish with the snapshot they started with.
struct ConfigurationReload: Sendable {
    let loader: ConfigLoader
    let path: String?
    let running: RunningConfiguration
    /// What the daemon started with: the settings that need a restart are compared with it.
    let started: HeraldConfiguration
    let logger: Logger

    /// Reloads; the result's `configuration` is nil when the reload was refused.
    func perform() -> ConfigLoadResult {
        let result = loader.load(path: path)
        guard let configuration = result.configuration else {
            for diagnostic in result.diagnostics {
                logger.error(
                    "reload refused; the running configuration stays", ["problem": .string(diagnostic.description)])
            }
            return result
        }
        running.replace(with: DaemonSnapshot(configuration))
        logger.info("configuration reloaded", ["routes": .int(configuration.rules.routes.count)])
        let needRestart = Self.restartOnly(configuration, started: started)
        if !needRestart.isEmpty {
            logger.warning(
                "changed settings take effect at the next restart",
                ["keys": .string(needRestart.joined(separator: ","))])
        }
        return result
    }

    /// The settings of `configuration` that differ from what the daemon started with and that
    /// only a restart applies.
    static func restartOnly(_ configuration: HeraldConfiguration, started: HeraldConfiguration) -> [String] {
        var keys: [String] = []
        if configuration.listeners != started.listeners { keys.append("listen") }
        if configuration.stateDirectory != started.stateDirectory { keys.append("state_dir") }
        if configuration.store != started.store { keys.append("store") }
        if configuration.log != started.log { keys.append("log") }
        if configuration.console != started.console { keys.append("console") }
        if configuration.ingress.limits != started.ingress.limits { keys.append("ingress.limits") }
        if configuration.ingress.mandrillWebhooks?.maxBodyBytes != started.ingress.mandrillWebhooks?.maxBodyBytes {
            keys.append("ingress.mandrill_webhooks.max_body_bytes")
        }
        return keys
    }
}
