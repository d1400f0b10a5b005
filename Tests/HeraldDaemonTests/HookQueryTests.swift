import Testing

@testable import HeraldDaemon

/// The query of a hook's URL: Herald's own parameters only, each at most once.
@Suite struct HookQueryTests {
    @Test func plainHooksHaveNoQuery() throws {
        #expect(try HookQuery(nil) == HookQuery())
        #expect(try HookQuery("") == HookQuery())
    }

    @Test func modeAndMethod() throws {
        let decide = try HookQuery("mode=decide&method=password")
        #expect(decide.decide && decide.method == "password")
        #expect(try HookQuery("method=lookup_secret").method == "lookup_secret")
        #expect(try HookQuery("method=lookup_secret").decide == false)
    }

    /// Issue 9: `?mode=bogus` was ignored and planned jobs.
    @Test(arguments: [
        ("mode=bogus", "unknown mode 'bogus'; the only mode is decide (?mode=decide)"),
        ("mode=", "unknown mode ''; the only mode is decide (?mode=decide)"),
        ("mode", "unknown mode ''; the only mode is decide (?mode=decide)"),
        ("mode=decide&mode=decide", "query parameter 'mode' is given twice"),
        ("utm_source=x", "unknown query parameter 'utm_source'; hook URLs take mode=decide and method=NAME"),
        ("method=Password", "method must be a Kratos method name such as password, oidc or profile, found 'Password'"),
        ("method=", "method must be a Kratos method name such as password, oidc or profile, found ''"),
        (
            "method=pass%20word",
            "method must be a Kratos method name such as password, oidc or profile, found 'pass%20word'"
        ),
        ("x=\u{1B}[2J", "unknown query parameter 'x'; hook URLs take mode=decide and method=NAME"),
        ("\u{1B}[2J=1", "unknown query parameter '?[2J'; hook URLs take mode=decide and method=NAME"),
    ])
    func anythingElseIsRefusedByName(query: String, message: String) {
        #expect(throws: IngressRejection(.badQuery, message)) { try HookQuery(query[...]) }
    }
}
