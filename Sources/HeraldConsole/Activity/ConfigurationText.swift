import FoundationEssentials
import HeraldConfig
import HeraldCore

/// The main configuration file as it was loaded, for the configuration page, with every secret
/// value shown as `<secret>`: those read from references, and the credentials written in the
/// file itself (ingress and privacy API keys and passwords, Mandrill webhook keys, the DSN and its
/// password, and what `WrittenCredentials` finds at the keys that hold credentials).
enum ConfigurationText {
    /// Larger files are cut (the page is for reading, not for copying a config back).
    static let maxBytes = 256 << 10

    static func read(_ configuration: HeraldConfiguration) -> String {
        guard configuration.source != ConfigLoader.defaultSourceName else {
            return "# the embedded default configuration (no --config file)\n"
        }
        // Read as the loader reads it, within its limit: the file may have changed since it was
        // loaded, and it is read whole (a secret may sit past any cut).
        let bytes: [UInt8]
        do {
            bytes = try readFileBytes(atPath: configuration.source, limit: YAMLLoader().maxFileBytes)
        } catch {
            return "# \(configuration.source) cannot be read now\n"
        }
        return redacted(String(decoding: bytes, as: UTF8.self), configuration)
    }

    /// `text` with every secret as `<secret>`, cut to `maxBytes` after that (so that the cut
    /// cannot leave the start of a secret behind); a note instead of the text when a credential
    /// is written in a form that cannot be found in the text (escapes, a folded scalar).
    static func redacted(_ text: String, _ configuration: HeraldConfiguration) -> String {
        guard let written = WrittenCredentials.values(in: text) else {
            return "# not shown: the file cannot be read as YAML now\n"
        }
        var secrets = configuration.secrets
        for credential in configuration.ingress.credentials + (configuration.privacyAPI ?? []) {
            switch credential {
            case .apiKey(_, let value, _): secrets.append(value)
            case .basicAuth(_, let password): secrets.append(password)
            }
        }
        secrets += configuration.ingress.mandrillWebhooks?.keys ?? []
        if let console = configuration.console { secrets.append(console.password) }
        if case .postgres(let settings) = configuration.store { secrets.append(settings.dsn) }
        let shown = written.filter { $0.count >= RemoteTextRedactor.shortestSecret }
        guard shown.allSatisfy({ text.contains($0) }) else {
            return "# not shown: a credential is written in this file in a form the console cannot mask "
                + "(escapes or a folded scalar); write it as a secret reference (${credential:…})\n"
        }
        var result = text
        for secret in Set(secrets + shown).filter({ $0.count >= RemoteTextRedactor.shortestSecret }).sorted(by: {
            $0.count > $1.count
        }) {
            result = result.replacing(secret, with: "<secret>")
        }
        guard result.utf8.count > maxBytes else { return result }
        return String(decoding: result.utf8.prefix(maxBytes), as: UTF8.self) + "\n# … cut at 256 KiB\n"
    }
}
