import HeraldCore
import Synchronization

/// The console's logins: one password (from a secret), sessions named by random tokens kept in
/// memory only (a restart logs everyone out), each with its own CSRF token. Bounded: at most
/// `maxSessions` (the oldest goes first) and `maxFailures` wrong passwords a minute.
package final class ConsoleSessions: Sendable {
    /// A logged-in browser.
    package struct Session: Sendable {
        /// The form token every POST must carry (the synchronizer-token pattern).
        package let csrf: String
        let expires: ContinuousClock.Instant
    }

    /// The result of a login attempt.
    package enum Login: Sendable {
        case accepted(token: String, session: Session)
        case refused
        /// Too many wrong passwords lately; try again in a minute.
        case throttled
    }

    package static let maxSessions = 32
    package static let maxFailures = 10

    private struct State {
        var sessions: [String: Session] = [:]
        var failures: [ContinuousClock.Instant] = []
    }

    private let passwordDigest: [UInt8]
    /// How long a session lasts (the cookie's `Max-Age`).
    package let ttl: Duration
    /// Whether the console is reached over HTTPS: the cookie is then `Secure` and prefixed.
    package let secureCookie: Bool

    /// The session cookie's name: `__Host-herald_console` when it is `Secure`, so that a browser
    /// takes it only from this origin over HTTPS, never set by a sibling subdomain or over plain
    /// HTTP (RFC 6265bis, cookie prefixes); `herald_console` otherwise (a prefixed cookie must be
    /// `Secure`, which a console on plain HTTP cannot use).
    package var cookieName: String { secureCookie ? "__Host-herald_console" : "herald_console" }

    private let state = Mutex(State())

    /// - Parameter secureCookie: whether the console is reached over HTTPS (`console.secure_cookie`).
    package init(password: String, ttl: Duration, secureCookie: Bool = false) {
        passwordDigest = SHA256.hash(password.utf8)
        self.ttl = ttl
        self.secureCookie = secureCookie
    }

    /// Checks `password` (in constant time, over digests so the length leaks nothing either).
    package func login(password: String, now: ContinuousClock.Instant = .now) -> Login {
        let matches = ConstantTime.isEqual(SHA256.hash(password.utf8), to: passwordDigest)
        return state.withLock { state -> Login in
            state.failures.removeAll { now - $0 > .seconds(60) }
            guard state.failures.count < Self.maxFailures else { return .throttled }
            guard matches else {
                state.failures.append(now)
                return .refused
            }
            state.sessions = state.sessions.filter { $0.value.expires > now }
            while state.sessions.count >= Self.maxSessions,
                let oldest = state.sessions.min(by: { $0.value.expires < $1.value.expires })
            {
                state.sessions[oldest.key] = nil
            }
            let session = Session(csrf: Self.randomToken(), expires: now + ttl)
            let token = Self.randomToken()
            state.sessions[token] = session
            return .accepted(token: token, session: session)
        }
    }

    /// The session a request's `Cookie` header names, if it is live.
    package func session(cookieHeader: String?, now: ContinuousClock.Instant = .now) -> (String, Session)? {
        guard let token = token(in: cookieHeader) else { return nil }
        return state.withLock { state in
            guard let session = state.sessions[token] else { return nil }
            guard session.expires > now else {
                state.sessions[token] = nil
                return nil
            }
            return (token, session)
        }
    }

    /// Ends the session named `token`.
    package func logout(_ token: String) {
        state.withLock { _ = $0.sessions.removeValue(forKey: token) }
    }

    /// Whether `presented` is the session's CSRF token (constant time).
    package static func checks(_ presented: String?, against session: Session) -> Bool {
        guard let presented else { return false }
        return ConstantTime.isEqual(SHA256.hash(presented.utf8), to: SHA256.hash(session.csrf.utf8))
    }

    /// The console cookie's value in a `Cookie` header (`a=1; herald_console=…`).
    private func token(in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, String(pair[0]).withoutSurroundingSpaces == cookieName else { continue }
            let value = String(pair[1]).withoutSurroundingSpaces
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// 32 random bytes in hex.
    static func randomToken() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeMutableBytes { SecureRandom.fill($0) }
        return Hex.lowercase(bytes)
    }
}
