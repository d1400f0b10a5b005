import HeraldCore

/// A loaded, validated configuration: everything `herald serve` needs, compiled.
package struct HeraldConfiguration: Sendable {
    /// The file it came from, or `<embedded default>`.
    package var source: String
    package var listeners: [ListenAddress]
    /// Where the spool and other state live.
    package var stateDirectory: String
    /// Where jobs live: the local spool (default) or PostgreSQL.
    package var store: StoreSettings = .local
    package var ingress: IngressSettings
    package var delivery: DeliverySettings
    package var log: LogSettings
    /// `console:`, the operators' web console; nil (off) unless configured.
    package var console: ConsoleSettings?
    /// Configured actions by name.
    package var actions: [String: any Action]
    /// Per-action concurrency limits (`actions.NAME.concurrency`).
    package var actionConcurrency: [String: Int]
    package var rules: RuleSet
    /// Every value read from `${env:}`, `${file:}` or `${credential:}`, so output can be scrubbed.
    package var secrets: [String]
    /// Route tests (`*.test.yaml`) beside the configuration's route files: in the directories of
    /// the main file and of every included file (`herald test`, `herald check`).
    package var routeTestFiles: [String] = []
    /// Span export (`tracing:`); nil when off (the default).
    package var tracing: TracingSettings? = nil
    /// How long dead letters and outbox files are kept (`retention:`).
    package var retention = RetentionSettings()
    /// `privacy_api.auth`: the credentials of `POST /v1/personal-data/forget`; nil when it is off.
    package var privacyAPI: [IngressCredential]?

    /// Replaces every secret value in `text` with `<redacted>`.
    package func redacting(_ text: String) -> String {
        var result = text
        for secret in secrets where secret.count >= 4 {
            result = result.replacing(secret, with: "<redacted>")
        }
        return result
    }
}

/// Where Herald listens.
package enum ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IP address literal (IPv4 or IPv6) and a port; port 0 picks a free one.
    case tcp(host: String, port: Int)
    /// A unix socket path.
    case unix(path: String)

    /// Parses `127.0.0.1:4470`, `[::1]:4470`, `localhost:4470`, `:4470` (all addresses) or
    /// `unix:/run/herald/herald.sock`.
    package init?(_ text: String) {
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

    package var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        }
    }

    /// True for loopback addresses and unix sockets: only local processes can connect.
    package var isLocalOnly: Bool {
        switch self {
        case .unix: return true
        case .tcp(let host, _): return host.hasPrefix("127.") || host == "::1"
        }
    }

    /// An IPv4 literal (four numbers 0–255) or an IPv6 one (hex digits, colons, dots; no brackets).
    package static func isIPLiteral(_ host: String) -> Bool {
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
package enum IngressCredential: Sendable {
    /// `api_key` sent as a header (`in: header`) or a cookie (`in: cookie`).
    case apiKey(name: String, value: String, inCookie: Bool)
    /// HTTP basic authentication.
    case basicAuth(user: String, password: String)
}

/// The `ingress:` section.
package struct IngressSettings: Sendable {
    package var credentials: [IngressCredential] = []
    package var insecureNoAuth = false
    package var limits = IngressLimits()
    /// How long a Kratos event (by `Ory-Webhook-Trigger-ID`, else flow id + event + identity id)
    /// is remembered so that its retries are answered as duplicates.
    package var dedupeWindow: Duration = .seconds(3600)
    /// `ingress.mandrill_webhooks`: Mandrill's delivery events at `/v1/mandrill/events`; nil when
    /// the endpoint is off.
    package var mandrillWebhooks: MandrillWebhookSettings?
}

/// Where Mandrill posts its events and how they are verified (reference/mandrill-webhooks.md).
package struct MandrillWebhookSettings: Sendable, Equatable {
    /// The URL exactly as registered in Mandrill: it is part of what Mandrill signs, and behind
    /// a proxy it differs from what Herald sees.
    package var url: String
    /// The webhook's keys (secrets); several while one is being replaced. Empty until Mandrill
    /// has shown the key: then only its URL checks are answered.
    package var keys: [String] = []
    /// How long an event is remembered so that Mandrill's redeliveries are duplicates (Mandrill
    /// retries a batch for up to ~8 h). An event whose `ts` is older is refused: a replay.
    package var dedupeWindow: Duration = .seconds(24 * 3600)
    /// The shortest `dedupe_window` allowed: longer than Mandrill's retries of one batch.
    package static let minimumDedupeWindow: Duration = .seconds(12 * 3600)
    /// The largest batch accepted (up to 1,000 events, form-encoded).
    package var maxBodyBytes = 16 << 20

    package init(url: String) {
        self.url = url
    }
}

/// Request limits and timeouts (design §3).
package struct IngressLimits: Sendable, Equatable {
    package var maxRequestLineBytes = 8 << 10
    package var maxHeaderBytes = 32 << 10
    package var maxHeaderFields = 100
    package var maxBodyBytes = 1 << 20
    package var maxConnections = 1024
    package var headerTimeout: Duration = .seconds(10)
    package var bodyTimeout: Duration = .seconds(30)
    package var idleTimeout: Duration = .seconds(75)
}

/// The `delivery:` section.
package struct DeliverySettings: Sendable {
    package var retrySchedule: [Duration] = [5, 30, 120, 600, 1800, 3600, 10800, 21600].map { .seconds($0) }
    package var jitter = 0.2
    package var maxAge: Duration = .seconds(48 * 3600)
    /// Jobs performed at the same time, across actions.
    package var concurrency = 16
    /// Time allowed for one attempt.
    package var attemptTimeout: Duration = .seconds(30)
}

/// The `log:` section.
package struct LogSettings: Sendable, Equatable {
    package enum Format: String, Sendable { case logfmt, json }
    package var format = Format.logfmt
    package var level = LogLevel.info
    /// When true, personal data (emails) is written as it is; masked otherwise.
    package var showPersonalData = false
}
