import HeraldCore

/// A loaded, validated configuration: everything `herald serve` needs, compiled.
public struct HeraldConfiguration: Sendable {
    /// The file it came from, or `<embedded default>`.
    public var source: String
    public var listeners: [ListenAddress]
    /// Where the spool and other state live.
    public var stateDirectory: String
    /// Where jobs live: the local spool (default) or PostgreSQL.
    public var store: StoreSettings = .local
    public var ingress: IngressSettings
    public var delivery: DeliverySettings
    public var log: LogSettings
    /// Configured actions by name.
    public var actions: [String: any Action]
    /// Per-action concurrency limits (`actions.NAME.concurrency`).
    public var actionConcurrency: [String: Int]
    public var rules: RuleSet
    /// Every value read from `${env:}`, `${file:}` or `${credential:}`, so output can be scrubbed.
    public var secrets: [String]
    /// Route tests (`*.test.yaml`) beside the configuration's route files: in the directories of
    /// the main file and of every included file (`herald test`, `herald check`).
    public var routeTestFiles: [String] = []
    /// How long dead letters and outbox files are kept (`retention:`).
    public var retention = RetentionSettings()
    /// `privacy_api.auth`: the credentials of `POST /v1/personal-data/forget`; nil when it is off.
    public var privacyAPI: [IngressCredential]?

    /// Replaces every secret value in `text` with `<redacted>`.
    public func redacting(_ text: String) -> String {
        var result = text
        for secret in secrets where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return result
    }
}

/// Where Herald listens.
public enum ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IP address literal (IPv4 or IPv6) and a port; port 0 picks a free one.
    case tcp(host: String, port: Int)
    /// A unix socket path.
    case unix(path: String)

    /// Parses `127.0.0.1:4470`, `[::1]:4470`, `localhost:4470`, `:4470` (all addresses) or
    /// `unix:/run/herald/herald.sock`.
    public init?(_ text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { return nil }
            self = .unix(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard host.contains(":") else { return nil }
        } else if host.contains(":") {
            return nil  // IPv6 needs brackets.
        }
        if host == "localhost" { host = "127.0.0.1" }
        if host.isEmpty { host = "0.0.0.0" }
        guard ListenAddress.isIPLiteral(host) else { return nil }
        self = .tcp(host: host, port: port)
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        }
    }

    /// True for loopback addresses and unix sockets: only local processes can connect.
    public var isLocalOnly: Bool {
        switch self {
        case .unix: return true
        case .tcp(let host, _): return host.hasPrefix("127.") || host == "::1"
        }
    }

    private static func isIPLiteral(_ host: String) -> Bool {
        if host.contains(":") {
            return host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                guard let value = Int(part), part.count <= 3 else { return false }
                return (0...255).contains(value)
            }
    }
}

/// A credential Kratos can present (reference/kratos-webhooks.md §1.2).
public enum IngressCredential: Sendable {
    /// `api_key` sent as a header (`in: header`) or a cookie (`in: cookie`).
    case apiKey(name: String, value: String, inCookie: Bool)
    /// HTTP basic authentication.
    case basicAuth(user: String, password: String)
}

/// The `ingress:` section.
public struct IngressSettings: Sendable {
    public var credentials: [IngressCredential] = []
    public var insecureNoAuth = false
    public var limits = IngressLimits()
    /// How long a Kratos event (by `Ory-Webhook-Trigger-ID`, else flow id + event + identity id)
    /// is remembered so that its retries are answered as duplicates.
    public var dedupeWindow: Duration = .seconds(3600)
    /// `ingress.mandrill_webhooks`: Mandrill's delivery events at `/v1/mandrill/events`; nil when
    /// the endpoint is off.
    public var mandrillWebhooks: MandrillWebhookSettings?
}

/// Where Mandrill posts its events and how they are verified (reference/mandrill-webhooks.md).
public struct MandrillWebhookSettings: Sendable, Equatable {
    /// The URL exactly as registered in Mandrill: it is part of what Mandrill signs, and behind
    /// a proxy it differs from what Herald sees.
    public var url: String
    /// The webhook's keys (secrets); several while one is being replaced. Empty until Mandrill
    /// has shown the key: then only its URL checks are answered.
    public var keys: [String] = []
    /// How long an event is remembered so that Mandrill's redeliveries are duplicates (Mandrill
    /// retries a batch for up to ~8 h). An event whose `ts` is older is refused: a replay.
    public var dedupeWindow: Duration = .seconds(24 * 3600)
    /// The shortest `dedupe_window` allowed: longer than Mandrill's retries of one batch.
    public static let minimumDedupeWindow: Duration = .seconds(12 * 3600)
    /// The largest batch accepted (up to 1,000 events, form-encoded).
    public var maxBodyBytes = 16 << 20

    public init(url: String) {
        self.url = url
    }
}

/// Request limits and timeouts (design §3).
public struct IngressLimits: Sendable, Equatable {
    public var maxRequestLineBytes = 8 << 10
    public var maxHeaderBytes = 32 << 10
    public var maxHeaderFields = 100
    public var maxBodyBytes = 1 << 20
    public var maxConnections = 1024
    public var headerTimeout: Duration = .seconds(10)
    public var bodyTimeout: Duration = .seconds(30)
    public var idleTimeout: Duration = .seconds(75)
}

/// The `delivery:` section.
public struct DeliverySettings: Sendable {
    public var retrySchedule: [Duration] = [5, 30, 120, 600, 1800, 3600, 10800, 21600].map { .seconds($0) }
    public var jitter = 0.2
    public var maxAge: Duration = .seconds(48 * 3600)
    /// Jobs performed at the same time, across actions.
    public var concurrency = 16
    /// Time allowed for one attempt.
    public var attemptTimeout: Duration = .seconds(30)
}

/// The `log:` section.
public struct LogSettings: Sendable, Equatable {
    public enum Format: String, Sendable { case logfmt, json }
    public var format = Format.logfmt
    public var level = LogLevel.info
    /// When true, personal data (emails) is written as it is; masked otherwise.
    public var showPersonalData = false
}
