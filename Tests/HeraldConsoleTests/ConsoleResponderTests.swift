import HeraldCore
import HeraldHTTP
import HeraldJobs
import Testing

@testable import HeraldConsole

/// The console's HTTP application without sockets: who may see and change what, what bad input
/// gets, and that nothing shown is left unescaped.
@Suite struct ConsoleResponderTests {
    @Test func withoutASessionPagesRedirectToTheLoginAndActionsAre401() throws {
        let console = try ConsoleFixture()
        let page = console.request("GET", "/dead")
        #expect(page.status == 303 && page.headers["Location"] == "/login")
        let action = console.request("POST", "/dead/retry-all", form: "")
        #expect(action.status == 401)
        #expect(console.request("GET", "/login").status == 200)
        #expect(console.request("GET", "/static/console.css").status == 200)
        #expect(console.request("GET", "/static/console.js").status == 200)
    }

    @Test func aWrongPasswordIsRefusedAndTheRightOneSetsAStrictCookie() throws {
        var console = try ConsoleFixture()
        let wrong = console.request("POST", "/login", form: "password=nope", session: false)
        #expect(wrong.status == 401 && console.text(wrong).contains("not right"))
        #expect(wrong.headers["Set-Cookie"] == nil)
        try console.logIn()
        let right = console.request("POST", "/login", form: "password=\(ConsoleFixture.password)", session: false)
        let cookie = try #require(right.headers["Set-Cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        #expect(cookie.hasPrefix("herald_console=") && !cookie.contains("Secure"))
        #expect(console.request("GET", "/").status == 200)

        var secure = try ConsoleFixture(secureCookie: true)
        let overTLS = secure.request("POST", "/login", form: "password=\(ConsoleFixture.password)", session: false)
        let secureCookie = try #require(overTLS.headers["Set-Cookie"])
        // Prefixed: a browser takes it only over HTTPS, from this host, never from a subdomain.
        #expect(secureCookie.hasPrefix("__Host-herald_console=") && secureCookie.contains("; Secure"))
        #expect(secureCookie.contains("Path=/") && !secureCookie.contains("Domain="))
        try secure.logIn()
        #expect(secure.request("GET", "/").status == 200)
        // The unprefixed name, as a sibling subdomain or plain HTTP could set it, is no session.
        let planted = secure.cookie.replacingOccurrences(of: "__Host-herald_console=", with: "herald_console=")
        #expect(secure.request("GET", "/", session: false, headers: [("Cookie", planted)]).status == 303)
    }

    @Test func tooManyWrongPasswordsAreThrottled() throws {
        let console = try ConsoleFixture()
        for _ in 0..<ConsoleSessions.maxFailures {
            #expect(console.request("POST", "/login", form: "password=nope", session: false).status == 401)
        }
        let throttled = console.request("POST", "/login", form: "password=\(ConsoleFixture.password)", session: false)
        #expect(throttled.status == 429)
    }

    /// DNS rebinding: a page of another site whose name now points at the console sends its
    /// requests as same-origin ones under its own name. They are refused before anything is
    /// tried, so they can neither guess passwords nor use up the operator's attempts.
    @Test func aRequestForAnotherNameIsRefusedBeforeTheLogin() throws {
        var console = try ConsoleFixture()
        let rebound = [("Host", "rebind.evil.example:4471"), ("Origin", "http://rebind.evil.example:4471")]
        for _ in 0..<(ConsoleSessions.maxFailures + 2) {
            let guess = console.request("POST", "/login", form: "password=nope", session: false, headers: rebound)
            #expect(guess.status == 421)
        }
        #expect(console.request("GET", "/login", session: false, headers: rebound).status == 421)
        // The operator, by the console's address, is neither throttled nor refused.
        try console.logIn()
        #expect(console.request("GET", "/", headers: [("Host", "localhost:4471")]).status == 200)
        #expect(console.request("GET", "/", headers: rebound).status == 421)
    }

    /// A TLS proxy that passes its public name in Host works once the name is in console.hosts.
    @Test func aConfiguredNameIsAnswered() throws {
        var console = try ConsoleFixture(consoleYAML: "hosts: [herald-console.example.com]")
        try console.logIn()
        let proxied = [("Host", "herald-console.example.com"), ("Origin", "https://herald-console.example.com")]
        #expect(console.request("GET", "/", headers: proxied).status == 200)
        #expect(console.request("GET", "/", headers: [("Host", "other.example.com")]).status == 421)
    }

    @Test func everyPageCarriesAStrictPolicy() throws {
        var console = try ConsoleFixture()
        try console.logIn()
        for path in ["/", "/queue", "/dead", "/events", "/playground", "/config", "/login", "/overview/live"] {
            let answer = console.request("GET", path)
            #expect(answer.status == 200, "\(path)")
            let policy = try #require(answer.headers["Content-Security-Policy"], "\(path)")
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("http"))
            #expect(answer.headers["X-Frame-Options"] == "DENY" && answer.headers["Cache-Control"] == "no-store")
            // No third-party request: every URL in a page is this origin's.
            let page = console.text(answer)
            #expect(!page.contains("http://") && !page.contains("https://") && !page.contains("//cdn"), "\(path)")
        }
    }

    @Test func theConfigurationPageShowsNoCredentialWrittenInTheFile() throws {
        var console = try ConsoleFixture(
            extraYAML: """
                privacy_api: { auth: [{ api_key: { header: X-Privacy-Key, value: written-privacy-key-0123 } }] }
                tracing: { endpoint: "http://127.0.0.1:4318/v1/traces", headers: { Authorization: "Bearer trace-token-9" } }
                """)
        try console.logIn()
        let page = console.text(console.request("GET", "/config"))
        #expect(page.contains("X-Privacy-Key") && page.contains("&lt;secret&gt;"))
        #expect(!page.contains("written-privacy-key-0123") && !page.contains("trace-token-9"))
    }

    @Test func theOverviewReadsEachListOnceHoweverManyActionsThereAre() async throws {
        var console = try ConsoleFixture(moreActions: (1...20).map { "extra\($0)" })
        try console.logIn()
        _ = try await console.addJob(recipient: "a@example.com", dead: true)
        _ = try await console.addJob(recipient: "b@example.com", dead: true)
        _ = try await console.addJob(recipient: "c@example.com", dead: false)
        console.pageReads.value.store(0, ordering: .relaxed)
        let page = console.text(console.request("GET", "/overview/live"))
        // A queue and a dead-letter read, not two more for each of the 21 actions.
        #expect(console.pageReads.value.load(ordering: .relaxed) <= 2)
        #expect(page.contains("<a href=\"/dead?action=rec\">2</a>"))
        #expect(page.contains("<a href=\"/dead?action=extra7\">0</a>"))
    }

    @Test func aPostWithoutTheFormTokenOrFromAnotherSiteIsRefused() async throws {
        var console = try ConsoleFixture()
        try console.logIn()
        let id = try await console.addJob(recipient: "jane@example.com", dead: true)
        #expect(console.request("POST", "/dead/\(id)/retry", withToken: false).status == 403)
        #expect(console.request("POST", "/dead/\(id)/retry", form: "csrf=forged", withToken: false).status == 403)
        let otherOrigin = console.request(
            "POST", "/dead/\(id)/retry", headers: [("Origin", "https://evil.example")])
        #expect(otherOrigin.status == 403)
        let crossSite = console.request("POST", "/dead/\(id)/retry", headers: [("Sec-Fetch-Site", "cross-site")])
        #expect(crossSite.status == 403)
        #expect(try console.store.stored(id)?.state == .dead)
        let sameOrigin = console.request(
            "POST", "/dead/\(id)/retry",
            headers: [("Origin", "http://127.0.0.1:4471"), ("Sec-Fetch-Site", "same-origin")])
        #expect(sameOrigin.status == 200 && console.text(sameOrigin).contains("back in the queue"))
        #expect(try console.store.stored(id)?.state == .queued)
    }

    @Test func unknownJobsAre404AndNonsenseFiltersAre400() throws {
        var console = try ConsoleFixture()
        try console.logIn()
        let unknown = TimeOrderedIDGenerator().next()
        #expect(console.request("GET", "/dead/\(unknown)").status == 404)
        #expect(console.request("GET", "/queue/\(unknown)").status == 404)
        #expect(console.request("GET", "/dead/not-an-id").status == 404)
        #expect(console.request("GET", "/dead/\(unknown)/retry").status == 404)
        #expect(console.request("POST", "/dead/\(unknown)/drop").status == 404)
        #expect(console.request("GET", "/nowhere").status == 404)
        let badAge = console.request("GET", "/dead?since=yesterday")
        #expect(badAge.status == 400 && console.text(badAge).contains("not a duration"))
        #expect(console.request("GET", "/queue?since=-5m").status == 400)
        #expect(console.request("GET", "/queue?route=%01").status == 400)
        #expect(console.request("DELETE", "/queue").status == 405)
    }

    @Test func aDeadLetterIsListedShownRetriedAndTheFilterMatchesItsRecipient() async throws {
        var console = try ConsoleFixture()
        try console.logIn()
        let id = try await console.addJob(
            recipient: "jane@example.com", payload: ["to": "jane@example.com"], dead: true)
        _ = try await console.addJob(recipient: "max@example.com", dead: true)
        let list = console.text(console.request("GET", "/dead?recipient=Jane%40example.com&route=welcome&since=1h"))
        #expect(
            list.contains("1 dead letter match") && list.contains("/dead/\(id)") && list.contains("j***@example.com"))
        #expect(!list.contains("<td>jane@example.com") && !list.contains("max"))
        let all = console.text(console.request("GET", "/dead"))
        #expect(all.contains("2 dead letters match"))

        let detail = console.text(console.request("GET", "/dead/\(id)"))
        #expect(detail.contains("rejected &lt;b&gt;hard&lt;/b&gt;") && detail.contains("j***@example.com"))
        #expect(!detail.contains("jane@"))
        let confirm = console.request("GET", "/dead/\(id)/retry")
        #expect(confirm.status == 200 && console.text(confirm).contains("method=\"post\""))
        #expect(try console.store.stored(id)?.state == .dead)  // a GET changes nothing

        let confirmAll = console.text(console.request("GET", "/dead/retry-all?recipient=jane%40example.com"))
        #expect(confirmAll.contains("Retry 1") && confirmAll.contains("name=\"recipient\""))
        let done = console.text(console.request("POST", "/dead/retry-all", form: "recipient=jane%40example.com"))
        #expect(done.contains("1 matched; 1 back in the queue"))
        #expect(try console.store.stored(id)?.state == .queued)
        #expect(console.text(console.request("GET", "/dead")).contains("1 dead letter match"))
    }

    @Test func dropAllWithoutAFilterEmptiesTheDeadLetters() async throws {
        var console = try ConsoleFixture()
        try console.logIn()
        _ = try await console.addJob(recipient: "a@example.com", dead: true)
        _ = try await console.addJob(recipient: "b@example.com", dead: true)
        let done = console.text(console.request("POST", "/dead/drop-all"))
        #expect(done.contains("2 matched; 2 dropped"))
        #expect(try console.store.page(.dead, filter: JobFilter(), limit: 0).total == 0)
    }

    @Test func thePlaygroundExplainsAndShowsWhereAPayloadStopsBeingJSON() throws {
        var console = try ConsoleFixture()
        try console.logIn()
        let payload = #"{"identity": {"traits": {"email": "jane@example.com"}}}"#
        let explained = console.request(
            "POST", "/playground", form: "event=registration.after&payload=\(PercentEncoding.encode(payload))")
        #expect(explained.status == 200)
        #expect(
            console.text(explained).contains("route &#39;welcome&#39;") && console.text(explained).contains("MATCH"))
        #expect(console.text(explained).contains("nothing was sent"))

        let brokenPayload = PercentEncoding.encode("{\n  \"a\": tru\n}")
        let broken = console.request("POST", "/playground", form: "payload=\(brokenPayload)")
        #expect(broken.status == 400)
        #expect(console.text(broken).contains("line 2, column"))

        let unknown = console.request("POST", "/playground", form: "event=nope.nope&payload=%7B%7D")
        #expect(unknown.status == 400 && console.text(unknown).contains("unknown event"))
        let method = console.request("POST", "/playground", form: "method=PASS%20word&payload=%7B%7D")
        #expect(method.status == 400 && console.text(method).contains("not a Kratos method name"))
    }

    @Test func scriptInEveryShownFieldIsEscaped() async throws {
        var console = try ConsoleFixture()
        try console.logIn()
        let evil = "<script>alert(1)</script>"
        let id = try await console.addJob(recipient: "\(evil)@example.com", payload: ["to": .string(evil)], dead: true)
        let event = Event(
            id: TimeOrderedIDGenerator().next(), name: EventName("registration.after")!, receivedAt: .now,
            triggerID: evil, payload: try JSONDocument(parsing: #"{"identity":{"traits":{"email":"\#(evil)"}}}"#).root,
            hookMethod: nil)
        console.events.record(event, .denied(routes: [evil], status: 403))
        let query =
            "route=\(PercentEncoding.encode(evil))&action=\(PercentEncoding.encode(evil))&recipient=\(PercentEncoding.encode(evil))"
        let pages: [HTTPResponse] = [
            console.request("GET", "/dead?\(query)"), console.request("GET", "/dead"),
            console.request("GET", "/queue?\(query)"),
            console.request("GET", "/dead/\(id)"), console.request("GET", "/events"),
            console.request("GET", "/dead/retry-all?\(query)"),
            console.request("GET", "/dead?since=\(PercentEncoding.encode(evil))"),
            console.request("GET", "/dead/\(PercentEncoding.encode(evil))"),
            console.request(
                "POST", "/playground",
                form:
                    "event=\(PercentEncoding.encode(evil))&method=\(PercentEncoding.encode(evil))&payload=\(PercentEncoding.encode(evil))"
            ),
            console.request(
                "POST", "/playground",
                form:
                    "event=registration.after&payload=\(PercentEncoding.encode(#"{"identity":{"traits":{"email":"\#(evil)"}}}"#))"
            ),
            console.request("POST", "/playground", form: "payload=\(PercentEncoding.encode("{\"\(evil)\": tru"))"),
            console.request("POST", "/login", form: "password=\(PercentEncoding.encode(evil))", session: false),
        ]
        for page in pages {
            let text = console.text(page)
            #expect(page.status < 500)
            // The one script element is the console's own.
            #expect(text.components(separatedBy: "<script").count == 2, "\(text)")
            #expect(!text.contains("<script>"))
        }
    }
}
