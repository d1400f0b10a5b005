import Dispatch
import HeraldCore
import HeraldHTTP
import HeraldJobs

/// The console's HTTP application (docs/console.md): a login, then server-rendered pages of the
/// queue, the dead letters, recent events, the route playground and the configuration.
///
/// Every request must name the console in `Host` (`ConsoleHosts`; 421 else). Every page but the
/// login and the two static files needs the session cookie (without it a
/// page redirects to the login, anything else is 401); every POST needs the session's CSRF
/// token and a same-origin `Origin`/`Sec-Fetch-Site` when the browser sends them (403 else).
/// Pages read the store, so they are built on a queue of the console's own, never on the HTTP
/// thread or Swift's shared threads; one at a time, so that an operator's changes apply in order.
package final class ConsoleResponder: HTTPResponder {
    package let context: ConsoleContext
    /// The sessions, and how their cookie is made (`secureCookie`, `ttl`).
    package let sessions: ConsoleSessions
    /// The names the console answers to; nil on a unix socket, which no browser reaches itself.
    let hosts: ConsoleHosts?
    private let work = DispatchQueue(label: "herald.console")

    package init(context: ConsoleContext, sessions: ConsoleSessions, hosts: ConsoleHosts?) {
        self.hosts = hosts
        self.context = context
        self.sessions = sessions
    }

    package func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        work.async { [self] in writer.respond(answer(request)) }
    }

    /// The answer to `request`; blocks on the store. Never throws: every refusal is a page
    /// with its status.
    package func answer(_ request: HTTPRequest) -> HTTPResponse {
        let head = request.head
        let path = String(head.path)
        let query = FormData(String(head.query ?? ""))
        if let hosts, !hosts.accepts(head.headers["Host"]) { return Self.misdirected() }
        switch (head.method, path) {
        case ("GET", "/static/console.css"): return Self.asset(ConsoleAssets.css, type: "text/css; charset=utf-8")
        case ("GET", "/static/console.js"):
            return Self.asset(ConsoleAssets.javascript, type: "text/javascript; charset=utf-8")
        case ("GET", "/favicon.ico"): return HTTPResponse(status: 204, headers: ["Cache-Control": "max-age=86400"])
        case ("GET", "/login"): return loginPage(problem: nil)
        case ("POST", "/login"):
            guard Self.isSameOrigin(head) else { return Self.crossSite() }
            return login(FormData(body: request.body))
        default: break
        }
        guard let (token, session) = sessions.session(cookieHeader: head.headers["Cookie"]) else {
            if head.method == "GET" || head.method == "HEAD" {
                return HTTPResponse(status: 303, headers: ["Location": "/login", "Cache-Control": "no-store"])
            }
            var response = ConsolePage.failure(ConsoleError(401, "log in first"), csrf: nil)
            response.headers.add(name: "WWW-Authenticate", value: "Cookie realm=\"herald console\"")
            return response
        }
        var form = FormData("")
        if head.method == "POST" {
            form = FormData(body: request.body)
            guard Self.isSameOrigin(head), ConsoleSessions.checks(form["csrf"], against: session) else {
                return Self.crossSite()
            }
        } else if head.method != "GET" {
            return ConsolePage.failure(ConsoleError(405, "\(head.method) is not used here"), csrf: session.csrf)
        }
        do throws(ConsoleError) {
            return try route(head.method, path, query: query, form: form, token: token, session: session)
        } catch {
            return ConsolePage.failure(error, csrf: session.csrf)
        }
    }

    private func route(
        _ method: String, _ path: String, query: FormData, form: FormData, token: String,
        session: ConsoleSessions.Session
    ) throws(ConsoleError) -> HTTPResponse {
        let csrf = session.csrf
        let parts = path.split(separator: "/").map(String.init)
        switch (method, parts.first ?? "") {
        case ("GET", "") where parts.isEmpty: return overview(csrf: csrf)
        case ("GET", "overview") where parts == ["overview", "live"]: return overviewLive()
        case ("POST", "logout") where parts.count == 1:
            sessions.logout(token)
            return HTTPResponse(
                status: 303, headers: ["Location": "/login", "Set-Cookie": cookie(value: "", maxAge: 0)])
        case (_, "queue"), (_, "dead"):
            let section: JobSection = parts[0] == "queue" ? .queue : .dead
            return try jobs(method, section, Array(parts.dropFirst()), query: query, form: form, csrf: csrf)
        case ("GET", "events") where parts.count == 1: return events(csrf: csrf)
        case ("GET", "playground") where parts.count == 1: return playground(PlaygroundInput(), csrf: csrf)
        case ("POST", "playground") where parts.count == 1: return playground(PlaygroundInput(form), csrf: csrf)
        case ("GET", "config") where parts.count == 1: return configuration(csrf: csrf)
        default: throw ConsoleError(404, "no such page")
        }
    }

    // MARK: Login

    private func loginPage(problem: String?, status: Int = 200) -> HTTPResponse {
        var body = ""
        if let problem { body += "<p class=\"error\" role=\"alert\">\(HTML.escape(problem))</p>" }
        body += """
            <form method="post" action="/login">
            <p><label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required autofocus></p>
            <p><button type="submit">Log in</button></p>
            </form>
            """
        return ConsolePage(title: "Log in", section: nil, csrf: nil, body: body, status: status).response
    }

    private func login(_ form: FormData) -> HTTPResponse {
        switch sessions.login(password: form["password"] ?? "") {
        case .accepted(let token, _):
            return HTTPResponse(
                status: 303,
                headers: [
                    "Location": "/", "Cache-Control": "no-store",
                    "Set-Cookie": cookie(value: token, maxAge: Int(sessions.ttl.components.seconds)),
                ])
        case .refused: return loginPage(problem: "That password is not right.", status: 401)
        case .throttled: return loginPage(problem: "Too many wrong passwords; wait a minute.", status: 429)
        }
    }

    /// The session cookie: HttpOnly, SameSite=Strict, Secure when served through TLS.
    private func cookie(value: String, maxAge: Int) -> String {
        "\(sessions.cookieName)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
            + (sessions.secureCookie ? "; Secure" : "")
    }

    // MARK: Helpers

    /// False when the browser says the request comes from another site: an `Origin` whose
    /// host is not the `Host` asked for, or `Sec-Fetch-Site` other than same-origin or none.
    static func isSameOrigin(_ head: HTTPRequestHead) -> Bool {
        if let site = head.headers["Sec-Fetch-Site"], site != "same-origin", site != "none" { return false }
        guard let origin = head.headers["Origin"] else { return true }
        guard let host = head.headers["Host"], origin != "null" else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    private static func crossSite() -> HTTPResponse {
        ConsolePage.failure(
            ConsoleError(403, "refused: the form did not come from this console (cross-site, or a stale page)"),
            csrf: nil)
    }

    private static func misdirected() -> HTTPResponse {
        ConsolePage.failure(
            ConsoleError(
                421,
                "refused: this console does not answer to the name asked for; reach it by its IP address or "
                    + "localhost, or add the name a proxy passes to console.hosts"),
            csrf: nil)
    }

    private static func asset(_ text: String, type: String) -> HTTPResponse {
        var headers = ConsolePage.headers(contentType: type)
        headers.replaceOrAdd(name: "Cache-Control", value: "max-age=300")
        return HTTPResponse(status: 200, headers: headers, body: Array(text.utf8))
    }
}
