import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `herald doctor` through the real binary, against the Mandrill and Mailchimp test servers
/// (which check every request against the OpenAPI descriptions): the exact line of each check,
/// the exit code, and no secret anywhere in the output.
@Suite struct DoctorCommandTests {
    static let mandrillKey = "md-doctor-key-0123456789"
    static let mailchimpKey = "0123456789abcdef0123456789abcdef-us21"
    static let webhookKey = "whk-doctor-signing-key-42"
    static let list = "a1b2c3d4e5"
    static let hook = "https://herald.example.com/v1/mandrill/events"

    /// Test servers in the state an all-ok config needs; `change` breaks one thing.
    struct Servers {
        let mandrill: MandrillTestServer
        let mailchimp: MailchimpTestServer

        init() throws {
            mandrill = try MandrillTestServer(
                keys: [DoctorCommandTests.mandrillKey], templates: ["welcome", "welcome-en", "welcome-de", "code"])
            mandrill.configure {
                $0.domains = [MandrillSendingDomain("example.com"), MandrillSendingDomain("news.example.com")]
                $0.webhooks = [
                    MandrillWebhookRegistration(url: "https://other.example.com/hook", events: ["open"]),
                    MandrillWebhookRegistration(url: DoctorCommandTests.hook, events: ["hard_bounce", "spam", "send"]),
                ]
            }
            mailchimp = try MailchimpTestServer(
                apiKey: DoctorCommandTests.mailchimpKey, audiences: [DoctorCommandTests.list: MailchimpAudience()])
            try mandrill.start()
            try mailchimp.start()
        }

        func stop() {
            mandrill.stop()
            mailchimp.stop()
        }
    }

    func config(_ servers: Servers) throws -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress:
          insecure_no_auth: true
          mandrill_webhooks:
            url: "\(Self.hook)"
            keys: ["${env:MANDRILL_WEBHOOK_KEY}"]
        actions:
          mail:
            plugin: mandrill
            api_key: "${env:MANDRILL_KEY}"
            base_url: "\(try #require(servers.mandrill.baseURL))"
            from: { email: hello@example.com, name: Example }
          audience:
            plugin: mailchimp
            api_key: "${env:MAILCHIMP_KEY}"
            list_id: \(Self.list)
            base_url: "\(try #require(servers.mailchimp.baseURL))"
          files:
            plugin: outbox
        routes:
          - name: welcome
            events: [registration.after]
            do:
              - action: mail
                template: ["welcome-{{event.locale | language}}", welcome]
                to: "{{recipient}}"
              - action: audience
                email: "{{identity.traits.email}}"
                status_if_new: subscribed
                merge_fields: { FNAME: "{{identity.traits.name.first}}" }
          - name: code
            events: [recovery.after]
            do:
              - action: mail
                template: code
                from: news@news.example.com
                to: "{{recipient}}"
              - action: files
                to: "{{recipient}}"
                subject: Hello
                text: Hello
                from: hello@example.com
          - name: bounced
            events: [mandrill.hard_bounce, mandrill.spam]
            do:
              - action: audience
                operation: unsubscribe
                email: "{{recipient}}"
        """
    }

    /// Runs `herald doctor` on the config for `servers`; checks that no secret was printed.
    func doctor(_ servers: Servers, _ extra: [String] = ["--locales", "en,de"]) throws -> HeraldProcess.Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-doctor-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try config(servers).write(
            to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let result = try HeraldProcess.run(
            ["doctor", "--config", "herald.yaml"] + extra, in: directory,
            environment: [
                "MANDRILL_KEY": Self.mandrillKey, "MAILCHIMP_KEY": Self.mailchimpKey,
                "MANDRILL_WEBHOOK_KEY": Self.webhookKey,
            ])
        let basic = Data("herald:\(Self.mailchimpKey)".utf8).base64EncodedString()
        for secret in [
            Self.mandrillKey, Self.mailchimpKey, String(Self.mailchimpKey.prefix(32)), Self.webhookKey, basic,
        ] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        }
        return result
    }

    @Test func anAllOkConfigPrintsOneLinePerCheckAndExitsZero() throws {
        let servers = try Servers()
        defer { servers.stop() }
        let result = try doctor(servers)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout == """
                ok   audience: API key: works (GET /ping)
                ok   audience: audience a1b2c3d4e5: exists (Herald test audience)
                ok   audience: merge field FNAME of audience a1b2c3d4e5 (route welcome): exists
                ok   mail: API key: works (users/ping2)
                ok   mail: sending domain example.com: verified, SPF and DKIM valid
                ok   mail: sending domain news.example.com: verified, SPF and DKIM valid
                ok   mail: template welcome-en (route welcome): exists and is published
                ok   mail: template welcome-de (route welcome): exists and is published
                ok   mail: template welcome (route welcome): exists and is published
                ok   mail: template code (route code): exists and is published
                ok   mail: webhook \(Self.hook): registered with every event routes listen to (hard_bounce, spam)
                no checks for: files (outbox)
                11 ok, 0 warnings, 0 failures

                """)
        // Read only: nothing but the lookups was asked.
        let operations = servers.mandrill.requests.compactMap { MandrillAPISimulator.operation(forPath: $0.path) }
        #expect(!operations.contains { $0.hasPrefix("/messages/") })
        #expect(servers.mailchimp.requests.allSatisfy { $0.method == "GET" })
    }

    @Test func aBadMandrillKeyFailsAndStopsThatActionsChecks() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mandrill.configure { $0.keys = ["another-key"] }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\nfail mail: API key: Mandrill refused it (Invalid_Key: Invalid API key); nothing else was checked"
                    + " — fix: set actions.mail.api_key to a key listed under Mandrill → Settings → SMTP & API Info\n"),
            "\(result.stdout)")
        #expect(!result.stdout.contains("ok   mail:"))
        #expect(result.stdout.hasSuffix("3 ok, 0 warnings, 1 failure\n"), "\(result.stdout)")
    }

    @Test func aBadMailchimpKeyFails() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mailchimp.configure { $0.apiKey = "fedcba9876543210fedcba9876543210-us21" }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.hasPrefix(
                "fail audience: API key: Mailchimp refused it (API Key Invalid: Your API key may be invalid, or you've "
                    + "attempted to access the wrong datacenter.); nothing else was checked — fix: set "
                    + "actions.audience.api_key to a key from Mailchimp → Profile → Extras → API keys, with its data "
                    + "center suffix (-us21)\n"), "\(result.stdout)")
    }

    @Test func anUnverifiedDomainFails() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mandrill.configure { $0.domains[0].verified = false }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\nfail mail: sending domain example.com: not verified — fix: verify it under Mandrill → Settings → "
                    + "Sending Domains (the TXT record or the email)\n"), "\(result.stdout)")
    }

    @Test func invalidSPFAndDKIMFail() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mandrill.configure {
            $0.domains[1].spfValid = false
            $0.domains[1].dkimValid = false
        }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\nfail mail: sending domain news.example.com: SPF invalid (no SPF record includes spf.mandrillapp.com), "
                    + "DKIM invalid (no DKIM record found at mandrill._domainkey.news.example.com) — fix: add "
                    + "include:spf.mandrillapp.com to the domain's SPF record; publish the mandrill._domainkey TXT "
                    + "record Mandrill shows for the domain\n"), "\(result.stdout)")
    }

    @Test func aDomainTheAccountLacksFailsWithoutBeingAdded() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mandrill.configure { $0.domains.removeLast() }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\nfail mail: sending domain news.example.com: not a sending domain of this Mandrill account — fix: "
                    + "add it under Mandrill → Settings → Sending Domains, verify it and publish its SPF and DKIM "
                    + "records\n"), "\(result.stdout)")
        // senders/check-domain would add it to the account: it is asked about known domains only.
        let checked = servers.mandrill.requests.filter { $0.path.hasSuffix("/senders/check-domain.json") }
        #expect(checked.compactMap { $0.json?["domain"]?.string } == ["example.com"])
    }

    @Test func aMissingTemplateFails() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mandrill.configure { $0.templates.remove("code") }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\nfail mail: template code (route code): does not exist — fix: create it in Mandrill (Outbound → "
                    + "Templates) with this exact slug, and publish it\n"), "\(result.stdout)")
    }

    @Test func aMissingLocaleVariantWarnsSinceTheFallbackIsSent() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mandrill.configure { $0.templates.remove("welcome-de") }
        let result = try doctor(servers)
        #expect(result.status == 0)
        #expect(
            result.stdout.contains(
                "\nwarn mail: template welcome-de (route welcome): does not exist; mail falls back to welcome — fix: "
                    + "create it in Mandrill (Outbound → Templates) with this exact slug, and publish it\n"),
            "\(result.stdout)")
        #expect(result.stdout.hasSuffix("10 ok, 1 warning, 0 failures\n"), "\(result.stdout)")
    }

    @Test func anUnpublishedTemplateFails() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mandrill.configure {
            $0.templates.remove("welcome")
            $0.draftTemplates = ["welcome"]
        }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\nfail mail: template welcome (route welcome): exists but has never been published — fix: publish it "
                    + "in Mandrill (Outbound → Templates → Publish)\n"), "\(result.stdout)")
    }

    @Test func withoutLocalesAnEventDependentNameWarns() throws {
        let servers = try Servers()
        defer { servers.stop() }
        let result = try doctor(servers, [])
        #expect(result.status == 0)
        #expect(
            result.stdout.contains(
                "\nwarn mail: template welcome-{{event.locale | language}} (route welcome): depends on the event, so "
                    + "not every name it can give was checked — fix: name the locales your users have with --locales "
                    + "(such as --locales en,de,fr)\n"), "\(result.stdout)")
        #expect(!result.stdout.contains("welcome-en"))
    }

    @Test func aMissingAudienceFails() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mailchimp.configure { $0.audiences = ["f0e1d2c3b4": MailchimpAudience()] }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\nfail audience: audience a1b2c3d4e5: does not exist in this Mailchimp account — fix: set list_id to "
                    + "the id under Audience → Settings → Audience name and defaults\n"), "\(result.stdout)")
        #expect(!result.stdout.contains("merge field"))
    }

    @Test func aMissingMergeFieldFails() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mailchimp.configure { $0.audiences[Self.list]?.mergeFields.removeFirst() }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\nfail audience: merge field FNAME of audience a1b2c3d4e5 (route welcome): does not exist — fix: add "
                    + "it under Audience → Settings → Audience fields and *|MERGE|* tags, or remove it from the "
                    + "route\n"), "\(result.stdout)")
    }

    @Test func noWebhookForTheURLFails() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mandrill.configure { $0.webhooks.removeLast() }
        let result = try doctor(servers)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\nfail mail: webhook \(Self.hook): not registered in this Mandrill account, so Herald receives no "
                    + "Mandrill events — fix: add a webhook for this exact URL under Mandrill → Settings → Webhooks "
                    + "with the events hard_bounce, spam (or with webhooks/add), then put its key in "
                    + "ingress.mandrill_webhooks.keys\n"), "\(result.stdout)")
    }

    /// Mandrill sends only the events a webhook was registered with: a route listening to another
    /// never runs, so doctor fails (exit 1), saying so.
    @Test func aWebhookMissingEventsFailsAndItsLastErrorIsShown() throws {
        let servers = try Servers()
        defer { servers.stop() }
        servers.mandrill.configure {
            $0.webhooks[1].events = ["hard_bounce", "send"]
            $0.webhooks[1].lastError = "Connection timed out"
        }
        let result = try doctor(servers)
        #expect(result.status == 1)
        let missing: String =
            "\nfail mail: webhook \(Self.hook): registered without spam, which routes listen to: Mandrill never "
            + "sends it, so those routes never run — fix: edit the webhook under Mandrill → Settings → Webhooks "
            + "to send spam\n"
        let lastError: String =
            "warn mail: webhook \(Self.hook): Mandrill's last error posting to it: Connection timed out "
            + "(last sent 2026-11-30 07:59:12) — fix: check that Mandrill reaches this URL and Herald answers "
            + "it (herald's log, ingress.mandrill_webhooks.keys)\n"
        #expect(result.stdout.contains(missing + lastError), "\(result.stdout)")
    }

    @Test func usageErrorsExitTwo() throws {
        let servers = try Servers()
        defer { servers.stop() }
        #expect(try doctor(servers, ["--locales", "en,,de!"]).status == 2)
        #expect(try doctor(servers, ["--fast"]).status == 2)
        #expect(try doctor(servers, ["extra"]).status == 2)
        let help = try HeraldProcess.run(["doctor", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("usage: herald doctor [--config FILE] [--locales L,L,…]\n"))
        #expect(try HeraldProcess.run(["--help"]).stdout.contains("\n  doctor    check against the live APIs"))
    }
}
