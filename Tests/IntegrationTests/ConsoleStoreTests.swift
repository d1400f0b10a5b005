import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The console of the real binary on every store, over plain HTTP: the dead letters it lists and
/// shows are those `herald dead list|show` give, its retry is theirs, bad input gets 400 and 404.
@Suite struct ConsoleStoreTests {
    static let password = "correct-horse-battery-staple"

    /// A logged-in client of the console at `address`.
    struct Session {
        let address: String
        var cookie = ""
        var csrf = ""

        init(address: String) throws {
            self.address = address
            let login = try post("/login", "password=\(ConsoleStoreTests.password)", session: false)
            #expect(login.status == 303)
            let setCookie = try #require(login.headers.first { $0.0 == "Set-Cookie" }?.1)
            cookie = String(try #require(setCookie.split(separator: ";").first))
            let page = try get("/").text
            let marker = try #require(page.range(of: "name=\"csrf\" value=\""))
            csrf = String(page[marker.upperBound...].prefix { $0 != "\"" })
        }

        func get(_ target: String) throws -> (status: Int, text: String) {
            let response = try RawHTTPClient(address: address).request("GET", target, headers: [("Cookie", cookie)])
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }

        func post(_ target: String, _ form: String, session: Bool = true) throws -> RawHTTPClient.Response {
            let body = session ? form + (form.isEmpty ? "" : "&") + "csrf=\(csrf)" : form
            return try RawHTTPClient(address: address).request(
                "POST", target,
                headers: [("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")],
                body: Array(body.utf8))
        }
    }

    @Test(arguments: StoreKind.available)
    func deadLettersAreTheCommandsOnes(store: StoreKind) async throws {
        let server = try MandrillTestServer(keys: ["md-right-key-0123456789"], templates: ["welcome"])
        defer { server.stop() }
        try server.start()
        let baseURL = try #require(server.baseURL)
        let config = try store.prepare(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            console: { listen: "127.0.0.1:0", password: "${env:CONSOLE_PASSWORD}", secure_cookie: true }
            actions:
              mail: { plugin: mandrill, api_key: "md-wrong-key-0123456789", base_url: "\(baseURL)", from: hello@example.com }
            routes:
              - name: welcome
                events: [registration.after]
                do: [{ action: mail, template: welcome, to: "{{recipient}}" }]
            """)
        let (daemon, ingress) = try await Integration.serve(config, environment: ["CONSOLE_PASSWORD": Self.password])
        let line = try await daemon.waitForLog("console listening")
        let console = String(line[try #require(line.range(of: "console_address=")).upperBound...].prefix { $0 != " " })
        for trigger in ["c-1", "c-2"] {
            let posted = try RawHTTPClient(address: ingress).request(
                "POST", "/v1/events/registration/after", headers: [("Ory-Webhook-Trigger-ID", trigger)],
                body: try Integration.example("registration-after.json"))
            #expect(posted.status == 202)
        }
        let cli = QueueCLI(store: store, directory: daemon.directory)
        #expect(try await Integration.eventually { try cli.ids("dead").count == 2 })
        let letters = try cli.list("dead")

        let session = try Session(address: console)
        // As behind a TLS proxy: the cookie only this host can set, over HTTPS.
        #expect(session.cookie.hasPrefix("__Host-herald_console="), "\(session.cookie)")
        let list = try session.get("/dead")
        #expect(list.status == 200 && list.text.contains("2 dead letters match"))
        for letter in letters {
            let id = try #require(letter["id"]?.string)
            #expect(list.text.contains("/dead/\(id)"))
            let shown = try session.get("/dead/\(id)")
            #expect(shown.status == 200)
            #expect(shown.text.contains(try #require(letter["reason"]?.string)))
        }
        #expect(try session.get("/dead?route=welcome&since=1h").text.contains("2 dead letters match"))
        #expect(try session.get("/dead?route=other").text.contains("0 dead letters match"))

        let first = try #require(letters.first?["id"]?.string)
        let retried = try session.post("/dead/\(first)/retry", "")
        #expect(retried.status == 200 && String(decoding: retried.body, as: UTF8.self).contains("back in the queue"))
        // It fails again (the key is still wrong): a new series, one attempt, dead again.
        #expect(
            try await Integration.eventually {
                daemon.output.components(separatedBy: "moved to dead letters").count == 4
            })

        #expect(try session.get("/dead/\(TimeOrderedIDGenerator().next())").status == 404)
        #expect(try session.get("/queue?since=soon").status == 400)
        let forged = try RawHTTPClient(address: console).request(
            "POST", "/dead/retry-all", headers: [("Cookie", session.cookie)], body: Array("csrf=forged".utf8))
        #expect(forged.status == 403)
        // DNS rebinding: a page of another site, its name pointed at the console, is refused.
        let rebound = try RawHTTPClient(address: console).request(
            "POST", "/login", headers: [("Host", "rebind.evil.example"), ("Origin", "http://rebind.evil.example")],
            body: Array("password=guess".utf8))
        #expect(rebound.status == 421)
        try await daemon.stop()
    }
}
