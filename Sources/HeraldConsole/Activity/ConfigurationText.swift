import FoundationEssentials
import HeraldConfig
import HeraldCore

/// The main configuration file as it was loaded, for the configuration page, with every secret
/// value shown as `<secret>`: those read from references, and the credentials written in the
/// file itself (ingress keys and passwords, Mandrill webhook keys, the DSN's password).
enum ConfigurationText {
    /// Larger files are cut (the page is for reading, not for copying a config back).
    static let maxBytes = 256 << 10

    static func read(_ configuration: HeraldConfiguration) -> String {
        guard configuration.source != ConfigLoader.defaultSourceName else {
            return "# the embedded default configuration (no --config file)\n"
        }
        // The loader refuses files over 1 MiB, so reading it whole is bounded.
        guard let data = FileManager.default.contents(atPath: configuration.source) else {
            return "# \(configuration.source) cannot be read now\n"
        }
        return redacted(String(decoding: data.prefix(maxBytes), as: UTF8.self), configuration)
    }

    static func redacted(_ text: String, _ configuration: HeraldConfiguration) -> String {
        var secrets = configuration.secrets
        for credential in configuration.ingress.credentials {
            switch credential {
            case .apiKey(_, let value, _): secrets.append(value)
            case .basicAuth(_, let password): secrets.append(password)
            }
        }
        secrets += configuration.ingress.mandrillWebhooks?.keys ?? []
        if let console = configuration.console { secrets.append(console.password) }
        if case .postgres(let settings) = configuration.store { secrets.append(settings.dsn) }
        var result = text
        for secret in Set(secrets).filter({ $0.count >= RemoteTextRedactor.shortestSecret }).sorted(by: {
            $0.count > $1.count
        }) {
            result = result.replacing(secret, with: "<secret>")
        }
        return result
    }
}
