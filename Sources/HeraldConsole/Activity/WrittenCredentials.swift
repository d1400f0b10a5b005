import HeraldConfig
import HeraldCore

/// The credentials written into a configuration file itself rather than read from a secret
/// reference: a Mandrill or Mailchimp `api_key`, a webhook's `whsec_` secrets and header values,
/// an SMTP or Kratos password or token, a password in a URL, the ingress' and the privacy API's
/// keys. Values read from references are known to the loader; these are not, so the configuration
/// page finds them by the keys that hold them.
enum WrittenCredentials {
    /// Keys whose value (a scalar, or a list of scalars) is a credential wherever they appear.
    static let credentialKeys: Set<String> = ["api_key", "password", "token", "secret", "secrets", "keys", "dsn"]
    /// Keys whose mapping holds credentials as its values (HTTP headers carry `Authorization`).
    static let headerKeys: Set<String> = ["headers"]
    /// Keys whose value is a URL that may hold a password (`smtp://user:password@host`).
    static let urlKeys: Set<String> = ["url", "admin_url", "base_url", "endpoint"]

    /// Every credential written in `text` (a YAML configuration file); nil when the text cannot
    /// be read as YAML, so nothing is known to be safe to show.
    static func values(in text: String) -> [String]? {
        guard let root = YAMLLoader().load(text: text, file: "console", diagnostics: ConfigDiagnostics()) else {
            return nil
        }
        var found: [String] = []
        collect(root, parentKey: nil, into: &found)
        return found
    }

    private static func collect(_ node: ConfigNode, parentKey: String?, into found: inout [String]) {
        switch node.content {
        case .scalar: return
        case .sequence(let items):
            for item in items { collect(item, parentKey: parentKey, into: &found) }
        case .mapping(let pairs):
            for pair in pairs {
                guard let key = pair.key.scalar?.text else { continue }
                let value = pair.value
                if credentialKeys.contains(key) || (key == "value" && parentKey == "api_key") {
                    // `api_key: {header: …, value: …}` (the ingress) names its key inside.
                    if value.mapping != nil {
                        collect(value, parentKey: key, into: &found)
                    } else {
                        found += scalars(value)
                    }
                    if key == "dsn" { found += scalars(value).flatMap(PostgresStoreSettings.passwords) }
                } else if headerKeys.contains(key) {
                    found += value.mapping?.flatMap { scalars($0.value) } ?? []
                } else if key == "environment" {
                    for variable in value.mapping ?? [] {
                        // An exec action's variables whose names say they hold a credential.
                        let name = variable.key.scalar?.text ?? ""
                        if CredentialNames.suggestCredential(name) { found += scalars(variable.value) }
                    }
                } else if urlKeys.contains(key) {
                    found += scalars(value).flatMap(PostgresStoreSettings.passwords)
                    found += scalars(value).flatMap(queryCredentials)
                } else {
                    collect(value, parentKey: key, into: &found)
                }
            }
        }
    }

    /// The values of a URL's query parameters whose names say they hold a credential
    /// (`?token=…`, `?api_key=…`).
    private static func queryCredentials(_ url: String) -> [String] {
        URLQuery.parameters(of: url).compactMap { name, value in
            CredentialNames.suggestCredential(String(name)) ? value.map(String.init) : nil
        }
    }

    /// The literal scalars of `node` (itself or its list's items); those that hold a secret
    /// reference are left out: the reference is not secret, the value it stands for is not there.
    private static func scalars(_ node: ConfigNode) -> [String] {
        let nodes = node.sequence ?? [node]
        return nodes.compactMap { item in
            guard let text = item.scalar?.text, !holdsReference(text) else { return nil }
            return text
        }
    }

    private static func holdsReference(_ text: String) -> Bool {
        ["${env:", "${file:", "${credential:"].contains { text.contains($0) }
    }
}
