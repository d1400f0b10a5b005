import FoundationEssentials
import Glibc
import HeraldCore

/// The options of one `plugin: smtp` action, validated.
struct SmtpSettings: Sendable {
    static let keys = [
        "url", "starttls", "username", "password", "auth", "from", "timeout", "connect_timeout", "ca_file",
        "helo_name",
    ]
    static let defaultTimeout = Duration.seconds(60)
    static let defaultConnectTimeout = Duration.seconds(10)
    static let timeoutRange = Duration.milliseconds(100)...Duration.seconds(600)
    /// Jobs of one action hold at most this many SMTP sessions at once unless `concurrency` says.
    static let defaultConcurrency = 4

    /// How the connection is protected.
    enum Security: String, Sendable {
        /// `smtp://` and STARTTLS, or no message is sent.
        case startTLS = "STARTTLS"
        /// `smtps://`: TLS from the first byte.
        case implicitTLS = "TLS"
        /// `smtp://` in clear text (`starttls: none`).
        case none = "no TLS"
    }

    /// `smtp://host:port/helo-name` or `smtps://…`, as curl reads it; never credentials.
    var url: String
    /// True when `url` came from a secret reference: it is then never printed.
    var urlIsSecret: Bool
    /// `smtp://mail.example.com:587` without the HELO path, for the summary.
    var displayURL: String
    var security: Security
    var username: String?
    var usernameIsSecret: Bool
    /// Given to curl only when performing; never printed.
    var password: String?
    /// `PLAIN` or `LOGIN`; nil lets curl pick from what the server offers.
    var authMechanism: String?
    var from: EmailAddress?
    var timeout: Duration
    var connectTimeout: Duration
    var caFile: String?

    /// The values the redactor removes from anything a server says.
    var secretValues: [String] { [password, usernameIsSecret ? username : nil].compactMap { $0 } }

    /// Reads and checks `actions.NAME`, recording every problem; nil when any was found.
    static func parse(_ definition: ActionDefinition) -> SmtpSettings? {
        let diagnostics = definition.diagnostics
        let before = diagnostics.items.count
        guard let options = definition.options(keys: keys) else { return nil }
        let urlNode = options.node("url", required: true)
        let endpoint = urlNode.flatMap { SmtpEndpoint.parse($0, diagnostics: diagnostics) }
        var security: Security = endpoint?.implicitTLS == true ? .implicitTLS : .startTLS
        if let node = options.node("starttls"), let text = options.string("starttls", acceptingScalars: true) {
            switch (text, endpoint?.implicitTLS) {
            case ("required", false): security = .startTLS
            case ("none", false): security = .none
            case (_, true):
                diagnostics.error("'starttls' is for smtp:// URLs; smtps:// always uses TLS", at: node)
            default:
                diagnostics.error("'starttls' must be required or none, found \(node.displayValue)", at: node)
            }
        }
        let username = options.string("username", acceptingScalars: true)
        let password = options.string("password", acceptingScalars: true)
        if username != nil, password == nil, let node = options.keyNode("username") {
            diagnostics.error("'username' needs a 'password' (from a secret, such as ${credential:smtp})", at: node)
        }
        if password != nil, username == nil, let node = options.keyNode("password") {
            diagnostics.error("'password' needs a 'username'", at: node)
        }
        if let password, password.isEmpty, let node = options.node("password") {
            diagnostics.error("'password' is empty", at: node)
        }
        if username != nil, security == .none, let endpoint, !endpoint.isLoopback, !endpoint.isUnread,
            let node = options.node("starttls")
        {
            diagnostics.error(
                "'starttls: none' would send the password in clear text to \(endpoint.host); use STARTTLS or smtps://",
                at: node)
        }
        var authMechanism: String?
        if let node = options.node("auth"), let text = options.string("auth") {
            authMechanism = text.uppercased()
            if authMechanism != "PLAIN" && authMechanism != "LOGIN" {
                diagnostics.error("'auth' must be PLAIN or LOGIN, found \(node.displayValue)", at: node)
            } else if username == nil {
                diagnostics.error("'auth' needs a 'username' and a 'password'", at: node)
            }
        }
        let from = options.node("from").flatMap { EmailAddress.sender($0, plain: true, diagnostics: diagnostics) }
        let timeout = parseTimeout(options, key: "timeout", diagnostics: diagnostics)
        let connectTimeout = parseTimeout(options, key: "connect_timeout", diagnostics: diagnostics)
        let caFile = options.node("ca_file").flatMap {
            parseFile($0, key: "ca_file", base: definition.baseDirectory, diagnostics: diagnostics)
        }
        if caFile != nil, security == .none, let node = options.keyNode("ca_file") {
            diagnostics.warning("'ca_file' has no effect with 'starttls: none'", at: node)
        }
        let heloName = options.node("helo_name").flatMap { parseHeloName($0, diagnostics: diagnostics) }
        guard diagnostics.items.count == before, let endpoint else { return nil }
        return SmtpSettings(
            url: endpoint.curlURL(heloName: heloName ?? defaultHeloName()),
            urlIsSecret: urlNode?.scalar?.isSecret ?? false,
            displayURL: endpoint.display, security: security, username: username,
            usernameIsSecret: options.node("username")?.scalar?.isSecret ?? false, password: password,
            authMechanism: authMechanism, from: from, timeout: timeout ?? defaultTimeout,
            connectTimeout: connectTimeout ?? defaultConnectTimeout, caFile: caFile)
    }

    private static func parseTimeout(_ options: ConfigMap, key: String, diagnostics: ConfigDiagnostics) -> Duration? {
        let value = options.duration(key)
        if let value, let node = options.node(key), !timeoutRange.contains(value) {
            diagnostics.error("'\(key)' must be between 100ms and 10m, found \(node.displayValue)", at: node)
        }
        return value
    }

    /// A readable file, absolute or relative to the config file's directory.
    static func parseFile(_ node: ConfigNode, key: String, base: String, diagnostics: ConfigDiagnostics) -> String? {
        guard let text = ConfigMap.string(node, key: key, diagnostics: diagnostics) else { return nil }
        let path = text.hasPrefix("/") ? text : "\(base)/\(text)"
        guard !text.isEmpty, FileManager.default.isReadableFile(atPath: path) else {
            diagnostics.error("'\(key)' \(node.displayValue) is not a readable file (\(path))", at: node)
            return nil
        }
        return path
    }

    /// A host name or an address literal for EHLO (`mail1.example.com`, `[192.0.2.1]`).
    static func parseHeloName(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> String? {
        guard let text = ConfigMap.string(node, key: "helo_name", diagnostics: diagnostics) else { return nil }
        guard isHeloName(text) else {
            diagnostics.error(
                "'helo_name' must be a host name such as mail.example.com, found \(node.displayValue)", at: node)
            return nil
        }
        return text
    }

    static func isHeloName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        if text.hasPrefix("[") && text.hasSuffix("]") {
            return text.utf8.dropFirst().dropLast().allSatisfy {
                isHexDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":")
            }
        }
        return text.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
            && !text.hasPrefix(".") && !text.hasPrefix("-")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }

    /// This machine's name when it is one a server would take in EHLO; curl's `localhost`
    /// otherwise.
    static func defaultHeloName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return isHeloName(name) ? name : "localhost"
    }
}
