import FoundationEssentials
import HeraldCore

/// The options of one `plugin: mandrill` action, validated.
struct MandrillSettings: Sendable {
    static let keys = [
        "api_key", "base_url", "from", "reply_to", "timeout", "subaccount", "ip_pool", "tags", "track_opens",
        "track_clicks", "merge_language", "important", "view_content_link", "metadata", "search_before_resend",
    ]
    static let defaultBaseURL = "https://mandrillapp.com/api/1.0"
    static let defaultTimeout = Duration.seconds(30)
    static let timeoutRange = Duration.milliseconds(100)...Duration.seconds(300)

    /// Added to the request only when performing; never printed.
    var apiKey: String
    /// Without a trailing slash.
    var baseURL: String
    var from: EmailAddress?
    var replyTo: String?
    var timeout: Duration
    var subaccount: String?
    var ipPool: String?
    var tags: [String]
    var trackOpens: Bool?
    var trackClicks: Bool?
    var mergeLanguage: String?
    var important: Bool?
    var viewContentLink: Bool?
    var metadata: JSONObject
    /// After an attempt that may have sent, ask `messages/search` before sending again.
    var searchBeforeResend = true

    /// Reads and checks `actions.NAME`, recording every problem; nil when any was found.
    static func parse(_ definition: ActionDefinition) -> MandrillSettings? {
        let diagnostics = definition.diagnostics
        let before = diagnostics.items.count
        guard let options = definition.options(keys: keys) else { return nil }
        // Read leniently (an all-digit key is still a key) so that no message ever quotes the value.
        let apiKey = options.string("api_key", required: true, acceptingScalars: true)
        if let key = apiKey, key.trimmingSpaces().isEmpty,
            let node = options.node("api_key")
        {
            diagnostics.error("'api_key' is empty", at: node)
        }
        let baseURL = options.node("base_url").flatMap { parseBaseURL($0, diagnostics: diagnostics) }
        let from = options.node("from").flatMap { EmailAddress.sender($0, diagnostics: diagnostics) }
        let replyTo = options.string("reply_to")
        if let replyTo, let node = options.node("reply_to") {
            if !EmailAddress(email: replyTo).looksValid {
                diagnostics.error("'reply_to' is not an email address: \(node.displayValue)", at: node)
            } else if let problem = EmailAddress(email: replyTo).plainAddressProblem {
                // Herald writes it into the Reply-To header: one plain address, nothing more.
                diagnostics.error("'reply_to' \(node.displayValue) is not a plain address: \(problem)", at: node)
            }
        }
        let timeout = options.duration("timeout")
        if let timeout, let node = options.node("timeout"), !timeoutRange.contains(timeout) {
            diagnostics.error("'timeout' must be between 100ms and 5m, found \(node.displayValue)", at: node)
        }
        let tags = options.node("tags").flatMap { MandrillNames.tags($0, diagnostics: diagnostics) } ?? []
        let metadata = options.node("metadata").flatMap { parseMetadata($0, diagnostics: diagnostics) } ?? [:]
        let settings = MandrillSettings(
            apiKey: apiKey ?? "", baseURL: baseURL ?? defaultBaseURL, from: from, replyTo: replyTo,
            timeout: timeout ?? defaultTimeout, subaccount: options.string("subaccount"),
            ipPool: options.string("ip_pool"), tags: tags, trackOpens: options.bool("track_opens"),
            trackClicks: options.bool("track_clicks"), mergeLanguage: MandrillNames.mergeLanguage(options),
            important: options.bool("important"), viewContentLink: options.bool("view_content_link"),
            metadata: metadata, searchBeforeResend: options.bool("search_before_resend") ?? true)
        return diagnostics.items.count == before ? settings : nil
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
                "'base_url' must be an http or https URL without query or credentials, such as \(defaultBaseURL); "
                    + "found \(node.displayValue)", at: node)
            return nil
        }
        return trimmed
    }

    /// A map of field names to constant text.
    static func parseMetadata(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> JSONObject? {
        guard let pairs = node.mapping else {
            diagnostics.error("'metadata' must be a map of names to text, found \(node.kindDescription)", at: node)
            return nil
        }
        var metadata = JSONObject()
        for pair in pairs {
            guard let name = ConfigMap.string(pair.key, key: "metadata", diagnostics: diagnostics) else { continue }
            if let problem = MandrillNames.metadataNameProblem(name) {
                diagnostics.error(problem, at: pair.key)
                continue
            }
            guard let value = ConfigMap.string(pair.value, key: name, acceptingScalars: true, diagnostics: diagnostics)
            else { continue }
            metadata[name] = .string(value)
        }
        if metadata.count > MandrillNames.maxUserMetadata {
            diagnostics.error(
                "at most \(MandrillNames.maxUserMetadata) metadata fields: Mandrill indexes 10 and Herald uses "
                    + "herald_job, herald_event and herald_identity", at: node)
        }
        return metadata
    }
}
