import Foundation
import HeraldConfig
import HeraldCore
import HeraldHTTP
import HeraldJobs
import HeraldTestSupport
import Synchronization
import Testing

@testable import HeraldConsole

/// A console over an in-memory store and a configuration loaded from YAML, answering requests
/// without sockets; a logged-in session to make them with.
struct ConsoleFixture {
    static let password = "correct-horse-battery"
    static let yaml = """
        listen: ["127.0.0.1:0"]
        ingress: { insecure_no_auth: true }
        console: { password: "${env:CONSOLE_PASSWORD}" }
        actions:
          rec: { plugin: recording }
        routes:
          - name: welcome
            events: [registration.after]
            do: [{ action: rec, to: "{{recipient}}" }]
        """

    let store = InMemoryJobStore()
    /// How many times the console asked the store for a list.
    let pageReads = Counter()
    let responder: ConsoleResponder
    let events: RecentEvents
    let configuration: HeraldConfiguration
    var cookie = ""
    var csrf = ""

    /// - Parameter extraYAML: more top-level keys for the configuration file.
    ///   - moreActions: names of more recording actions.
    ///   - consoleYAML: more keys of `console:` (`hosts: [...]`).
    init(secureCookie: Bool = false, extraYAML: String = "", moreActions: [String] = [], consoleYAML: String = "")
        throws
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("herald.yaml").path
        let actions = (["rec"] + moreActions).map { "  \($0): { plugin: recording }" }
        let yaml = Self.yaml.replacing("  rec: { plugin: recording }", with: actions.joined(separator: "\n"))
            .replacing(
                #"console: { password: "${env:CONSOLE_PASSWORD}" }"#,
                with: #"console: { password: "${env:CONSOLE_PASSWORD}""#
                    + (consoleYAML.isEmpty ? "" : ", \(consoleYAML)")
                    + " }")
        try (yaml + "\n" + extraYAML).write(toFile: path, atomically: true, encoding: .utf8)
        let result = ConfigLoader(
            plugins: PluginRegistry([RecordingPlugin.self]),
            secrets: SecretResolver(environment: ["CONSOLE_PASSWORD": Self.password])
        ).load(path: path)
        configuration = try #require(result.configuration, "\(result.renderedDiagnostics)")
        let settings = try #require(configuration.console)
        let store = self.store
        let activity = ActivityRing { ActivityRing.Totals(events: 0, delivered: 0, failed: 0) }
        events = RecentEvents(capacity: settings.recentEvents)
        let context = ConsoleContext(
            page: { [pageReads] section, filter, limit throws(JobStoreError) in
                pageReads.value.add(1, ordering: .relaxed)
                return try store.page(section, filter: filter, limit: limit)
            },
            control: JobControl(store: store), depth: { store.depth },
            configuration: LoadedConfiguration(configuration, warnings: ""), activity: activity,
            health: ActionHealth(passingTo: NoObserver(), secrets: []), events: events)
        responder = ConsoleResponder(
            context: context,
            sessions: ConsoleSessions(
                password: settings.password, ttl: settings.sessionTTL, secureCookie: secureCookie),
            hosts: ConsoleHosts(names: settings.hosts))
    }

    /// Logs in and keeps the session's cookie and form token.
    mutating func logIn() throws {
        let answer = request("POST", "/login", form: "password=\(Self.password)", session: false)
        #expect(answer.status == 303)
        let setCookie = try #require(answer.headers["Set-Cookie"])
        cookie = String(try #require(setCookie.split(separator: ";").first))
        let page = text(request("GET", "/"))
        let marker = "name=\"csrf\" value=\""
        let start = try #require(page.range(of: marker))
        csrf = String(page[start.upperBound...].prefix { $0 != "\"" })
    }

    /// The answer to one request; `form` is the urlencoded body (the CSRF token is added when
    /// `withToken`).
    func request(
        _ method: String, _ target: String, form: String? = nil, session: Bool = true, withToken: Bool = true,
        headers extra: [(String, String)] = []
    ) -> HTTPResponse {
        let namesHost = extra.contains { $0.0.lowercased() == "host" }
        var headers = HTTPHeaders(namesHost ? extra : [("Host", "127.0.0.1:4471")] + extra)
        if session, !cookie.isEmpty { headers.add(name: "Cookie", value: cookie) }
        var body = form ?? ""
        if method == "POST", session, withToken { body += (body.isEmpty ? "" : "&") + "csrf=\(csrf)" }
        if method == "POST" {
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        }
        let head = HTTPRequestHead(method: method, target: target, version: .http1_1, headers: headers)
        return responder.answer(HTTPRequest(head: head, body: Array(body.utf8)))
    }

    func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    /// A job of `welcome` for `recipient` in the store, made a dead letter when `dead`.
    func addJob(recipient: String, payload: JSON = [:], dead: Bool) async throws -> TimeOrderedID {
        let id = TimeOrderedIDGenerator().next()
        let now = WallClock.now
        let job = Job(
            id: id, eventID: TimeOrderedIDGenerator().next(), eventName: EventName("registration.after")!,
            route: "welcome", action: "rec", payload: payload, orderingKey: recipient, createdAt: now, notBefore: now)
        store.add([job])
        if dead {
            let claims = try await store.claim(ClaimRequest(count: 100, actions: ["rec"]))
            let claim = try #require(claims.first { $0.id == id })
            _ = try await store.finish(claim, .dead(.failed("rejected <b>hard</b>")), attempts: 1)
        }
        return id
    }
}

/// A count shared by the fixture and the closures it hands the console.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

/// Passes nothing on.
struct NoObserver: DeliveryObserver {
    func attemptEnded(action: String, outcome: Outcome, latency: Duration) {}
    func verdictRecorded(action: String, _ verdict: AttemptVerdict) {}
    func pluginEvent(action: String, event: String) {}
}
