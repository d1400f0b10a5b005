import FoundationEssentials
import HeraldCore

/// The options of one `plugin: mailchimp` action, validated.
struct MailchimpSettings: Sendable {
    static let keys = ["api_key", "list_id", "base_url", "timeout"]
    static let defaultTimeout = Duration.seconds(30)
    static let timeoutRange = Duration.milliseconds(100)...Duration.seconds(300)
    /// Mailchimp allows 10 simultaneous connections per account and answers 429 beyond
    /// (reference/mailchimp-marketing.md §9); an action never holds more.
    static let accountConnectionLimit = 10
    /// The action's concurrency when the config sets none: half the account's limit, leaving room
    /// for the account's other integrations (and a second action with the same key).
    static let defaultConcurrency = 5
    /// What `herald check --no-secrets` puts in place of an unread secret (`SecretResolver.placeholder`
    /// in HeraldConfig, which plugins cannot import; a test keeps the two equal). It has no data
    /// center, and checking it for one would fail every config that reads its key from a secret.
    static let unreadSecret = "herald-placeholder-for-an-unread-secret"

    /// Sent as the Basic password only when performing; never printed.
    var apiKey: String
    /// The audience (`list_id`) steps use unless they name another.
    var listID: String
    /// Without a trailing slash: `https://us21.api.mailchimp.com/3.0`.
    var baseURL: String
    var timeout: Duration

    /// Reads and checks `actions.NAME`, recording every problem; nil when any was found.
    static func parse(_ definition: ActionDefinition) -> MailchimpSettings? {
        let diagnostics = definition.diagnostics
        let before = diagnostics.items.count
        guard let options = definition.options(keys: keys) else { return nil }
        // Read leniently (an all-digit key is still a key) so that no message ever quotes the value.
        let apiKey = options.string("api_key", required: true, acceptingScalars: true)
        let keyNode = options.node("api_key")
        if let key = apiKey, key.trimmingSpaces().isEmpty, let keyNode {
            diagnostics.error("'api_key' is empty", at: keyNode)
        }
        let listID = options.node("list_id", required: true).flatMap { parseListID($0, diagnostics: diagnostics) }
        let baseURL = options.node("base_url").flatMap { parseBaseURL($0, diagnostics: diagnostics) }
        var derived: String?
        if let apiKey, baseURL == nil {
            if apiKey == unreadSecret {
                derived = "https://<data center of api_key>.api.mailchimp.com/3.0"
            } else if let center = dataCenter(ofKey: apiKey) {
                derived = "https://\(center).api.mailchimp.com/3.0"
            } else if let keyNode, !apiKey.trimmingSpaces().isEmpty {
                diagnostics.error(
                    "'api_key' does not end in its data center (a Mailchimp key looks like <32 hex digits>-us21), "
                        + "so the API's address is unknown; use the key as Mailchimp shows it, or set 'base_url'",
                    at: keyNode)
            }
        }
        let timeout = options.duration("timeout")
        if let timeout, let node = options.node("timeout"), !timeoutRange.contains(timeout) {
            diagnostics.error("'timeout' must be between 100ms and 5m, found \(node.displayValue)", at: node)
        }
        checkConcurrency(definition)
        guard diagnostics.items.count == before, let apiKey, let listID, let url = baseURL ?? derived else {
            return nil
        }
        return MailchimpSettings(apiKey: apiKey, listID: listID, baseURL: url, timeout: timeout ?? defaultTimeout)
    }

    /// The data center a key names (`…-us21` → `us21`), as the official SDK reads it: the part
    /// after the one `-`. Nil when the key does not split in exactly two parts or the suffix is not
    /// letters followed by digits (so it can only ever become a host name label).
    static func dataCenter(ofKey key: String) -> String? {
        let parts = key.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        let suffix = parts[1]
        let letters = suffix.prefix { $0.isASCII && $0.isLowercase && $0.isLetter }
        let digits = suffix.dropFirst(letters.count)
        guard !letters.isEmpty, !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(suffix)
    }

    /// An audience id: letters and digits (Mailchimp's are 10 hex digits), which also keeps it a
    /// single path segment.
    static func parseListID(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> String? {
        guard let text = ConfigMap.string(node, key: "list_id", acceptingScalars: true, diagnostics: diagnostics)
        else { return nil }
        guard isListID(text) else {
            diagnostics.error(
                "'list_id' must be an audience id of letters and digits (Audience → Settings → Audience ID, "
                    + "such as a1b2c3d4e5), found \(node.displayValue)", at: node)
            return nil
        }
        return text
    }

    static func isListID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// An `http`/`https` URL with a host, no query or fragment; a trailing slash is dropped.
    static func parseBaseURL(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> String? {
        guard let text = ConfigMap.string(node, key: "base_url", diagnostics: diagnostics) else { return nil }
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil, components.user == nil
        else {
            diagnostics.error(
                "'base_url' must be an http or https URL without query or credentials, such as "
                    + "https://us21.api.mailchimp.com/3.0; found \(node.displayValue)", at: node)
            return nil
        }
        return trimmed
    }

    /// `concurrency` (read by the config loader) may not exceed the account's connection limit.
    private static func checkConcurrency(_ definition: ActionDefinition) {
        guard let node = definition.node.mapping?.first(where: { $0.key.scalar?.text == "concurrency" })?.value,
            case .int(let limit)? = node.resolved, limit > accountConnectionLimit
        else { return }
        definition.diagnostics.error(
            "'concurrency' of a mailchimp action must be at most \(accountConnectionLimit): Mailchimp allows "
                + "\(accountConnectionLimit) simultaneous connections per account and answers 429 beyond; "
                + "found \(limit)", at: node)
    }
}
