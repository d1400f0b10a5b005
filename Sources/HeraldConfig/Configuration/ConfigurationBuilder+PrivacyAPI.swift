import HeraldCore

/// `privacy_api:` — `POST /v1/personal-data/forget` on the ingress listeners, behind credentials
/// of its own (docs/personal-data.md). Off unless configured.
///
/// ```yaml
/// privacy_api:
///   auth:
///     - api_key: { header: X-Herald-Privacy-Key, value: "${credential:privacy-key}" }
/// ```
extension ConfigurationBuilder {
    mutating func readPrivacyAPI(_ node: ConfigNode) {
        guard let map = ConfigMap(node, keys: ["auth"], what: "'privacy_api'", diagnostics: diagnostics),
            let authNode = map.node("auth", required: true)
        else { return }
        let before = diagnostics.items.count
        let credentials = readCredentials(authNode)
        guard diagnostics.items.count == before else { return }
        guard !credentials.isEmpty else {
            diagnostics.error("'privacy_api.auth' needs at least one credential (api_key or basic_auth)", at: authNode)
            return
        }
        privacyAPI = credentials
        privacyAPINode = authNode
    }

    /// Erasing people's data must never be open to whoever holds Kratos' key: refuses
    /// `privacy_api` credentials that equal an ingress credential.
    func checkPrivacyCredentials() {
        guard let privacy = privacyAPI, let node = privacyAPINode else { return }
        let ingressSecrets = Set(ingress.credentials.map(Self.secret))
        if privacy.contains(where: { ingressSecrets.contains(Self.secret($0)) }) {
            diagnostics.error(
                "privacy_api needs credentials of its own: one of them is also an ingress.auth credential (Kratos' key must never erase data)",
                at: node)
        }
    }

    private static func secret(_ credential: IngressCredential) -> String {
        switch credential {
        case .apiKey(_, let value, _): value
        case .basicAuth(_, let password): password
        }
    }
}
