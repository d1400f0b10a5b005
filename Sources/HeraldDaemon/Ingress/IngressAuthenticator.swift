import FoundationEssentials
import HeraldConfig
import HeraldCore
import HeraldHTTP

/// Checks the credentials Kratos presents (design §3): `api_key` in a header or a cookie, or
/// `basic_auth`. Secrets are compared in constant time.
struct IngressAuthenticator: Sendable {
    private enum Check: Sendable {
        case header(name: String, value: [UInt8])
        case cookie(name: String, value: [UInt8])
        /// The whole `Authorization` value, `Basic base64(user:password)`, without the scheme.
        case basic(token: [UInt8])
    }

    private let checks: [Check]

    /// When false, every request is let in (`insecure_no_auth`, loopback only).
    var isEnforced: Bool { !checks.isEmpty }

    init(credentials: [IngressCredential]) {
        checks = credentials.map { credential in
            switch credential {
            case .apiKey(let name, let value, let inCookie):
                return inCookie
                    ? .cookie(name: name, value: Array(value.utf8)) : .header(name: name, value: Array(value.utf8))
            case .basicAuth(let user, let password):
                return .basic(token: Array(Data("\(user):\(password)".utf8).base64EncodedString().utf8))
            }
        }
    }

    /// True when the request carries one of the configured credentials (or none are configured).
    func authorizes(_ headers: HTTPHeaders) -> Bool {
        guard isEnforced else { return true }
        var granted = false
        // Check every credential, so the time taken does not tell which one came close.
        for check in checks {
            switch check {
            case .header(let name, let expected):
                if let presented = headers[name], ConstantTime.isEqual(Array(presented.utf8), to: expected) {
                    granted = true
                }
            case .cookie(let name, let expected):
                for header in headers.values(for: "Cookie") {
                    if let presented = cookieValue(named: name, in: header),
                        ConstantTime.isEqual(Array(presented.utf8), to: expected)
                    {
                        granted = true
                    }
                }
            case .basic(let expected):
                if let authorization = headers["Authorization"] {
                    let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
                    if parts.count == 2, parts[0].lowercased() == "basic",
                        ConstantTime.isEqual(Array(parts[1].utf8), to: expected)
                    {
                        granted = true
                    }
                }
            }
        }
        return granted
    }
}

/// The value of cookie `name` in a `Cookie:` header (`a=1; name=value`).
func cookieValue(named name: String, in header: String) -> Substring? {
    for part in header.split(separator: ";") {
        let pair = part.drop(while: { $0 == " " })
        guard let equals = pair.firstIndex(of: "="), pair[..<equals] == name else { continue }
        var value = pair[pair.index(after: equals)...]
        if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
        return value
    }
    return nil
}
