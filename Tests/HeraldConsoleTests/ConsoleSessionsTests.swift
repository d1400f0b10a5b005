import Testing

@testable import HeraldConsole

/// The console's logins as an attacker would probe them: a session ends when its time is up
/// (whatever the cookie's Max-Age says) and at logout, and only tokens the server made count.
@Suite struct ConsoleSessionsTests {
    static let password = "correct-horse-battery"

    @Test func aSessionEndsOnTheServerWhenItsTimeIsUp() throws {
        let sessions = ConsoleSessions(password: Self.password, ttl: .seconds(300))
        let start = ContinuousClock.now
        guard case .accepted(let token, _) = sessions.login(password: Self.password, now: start) else {
            Issue.record("the right password was refused")
            return
        }
        let cookie = "\(sessions.cookieName)=\(token)"
        #expect(sessions.session(cookieHeader: cookie, now: start + .seconds(299)) != nil)
        #expect(sessions.session(cookieHeader: cookie, now: start + .seconds(300)) == nil)
        // Gone for good, even if the clock were to go back.
        #expect(sessions.session(cookieHeader: cookie, now: start) == nil)
    }

    @Test func logoutEndsTheSessionAndOnlyServerMadeTokensCount() throws {
        let sessions = ConsoleSessions(password: Self.password, ttl: .seconds(300))
        guard case .accepted(let token, let session) = sessions.login(password: Self.password) else {
            Issue.record("the right password was refused")
            return
        }
        #expect(token.count == 64 && token != session.csrf)
        let cookie = "a=1; \(sessions.cookieName)=\(token)"
        #expect(sessions.session(cookieHeader: cookie) != nil)
        sessions.logout(token)
        #expect(sessions.session(cookieHeader: cookie) == nil)
        // A token the attacker chose (session fixation) or the CSRF token is not a session.
        #expect(
            sessions.session(cookieHeader: "\(sessions.cookieName)=\(String(repeating: "a", count: 64))") == nil)
        #expect(sessions.session(cookieHeader: "\(sessions.cookieName)=\(session.csrf)") == nil)
    }
}
