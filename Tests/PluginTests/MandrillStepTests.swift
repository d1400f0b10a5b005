import HeraldCore
import HeraldTestSupport
import Testing

@testable import MandrillPlugin

/// Route steps of a Mandrill action: validation at load, and the job payload planned from an event.
@Suite struct MandrillStepTests {
    static let action = """
        actions:
          mail:
            plugin: mandrill
            api_key: "${env:MANDRILL_API_KEY}"
            from: {email: hello@example.com, name: Example}
            tags: [herald]
            metadata: {service: auth}
        """
    static let env = ["MANDRILL_API_KEY": "md-secret-0123456789"]

    @Test func everyStepProblemIsReportedAtItsPosition() {
        let harness = PluginHarness(
            Self.action + """

                routes:
                  - name: r
                    events: [registration.after]
                    do:
                      - action: mail
                        template: welcome
                        html: "<p>x</p>"
                        to: "{{recipient}}"
                        vars: {_FNAME: x, fname: y, FNAME: z}
                        tags: [welcome, "_x"]
                        metadata: {herald_event: x}
                        send_at: tomorrow
                        headers: {Reply-To: x, "Bad Header": y}
                        merge_language: liquid
                        important: maybe
                        bogus: 1
                        template_content: [{name: main}]
                """, env: Self.env)
        #expect(harness.step() == nil)
        #expect(
            harness.messages == [
                "14:9: 'html' cannot be used with 'template': the Mandrill template is the HTML",
                "16:16: merge variable '_FNAME' must not start with '_' (Mandrill reserves those)",
                "16:37: 'FNAME' repeats 'fname': Mandrill ignores case in these names",
                "17:25: tag '_x' must not start with '_' (Mandrill reserves those)",
                "18:20: metadata field 'herald_event' is set by Herald itself",
                "19:18: 'send_at' must be a UTC time written YYYY-MM-DD HH:MM:SS, found tomorrow",
                "20:19: set the Reply-To header with 'reply_to'",
                "20:32: 'Bad Header' is not a valid header name",
                "21:25: 'merge_language' must be mailchimp or handlebars, found liquid",
                "22:20: 'important' must be true or false, found a string maybe",
                "23:9: unknown key 'bogus' in step 1 of route 'r' (expected one of: action, to, cc, bcc, from, "
                    + "reply_to, subject, html, text, html_file, text_file, template, template_content, vars, "
                    + "merge_language, tags, metadata, subaccount, ip_pool, send_at, headers, track_opens, "
                    + "track_clicks, important)",
                "24:28: missing required key 'content'",
            ])
    }

    @Test func aMessageWithoutTemplateNeedsSubjectBodyAndSender() {
        let harness = PluginHarness(
            """
            actions:
              bare:
                plugin: mandrill
                api_key: k-123456
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: bare
                    to: "{{recipient}}"
            """)
        #expect(
            harness.messages == [
                "9:9: step 1 of route 'r' needs 'subject' and 'html' or 'text' and 'from' (here or on the action), "
                    + "or a Mandrill 'template'"
            ])
    }

    @Test func templatePathsAreCheckedAgainstTheRouteEvents() {
        let harness = PluginHarness(
            Self.action + """

                routes:
                  - name: r
                    events: [registration.before]
                    do:
                      - action: mail
                        template: welcome
                        to: "{{identity.traits.email}}"
                """, env: Self.env)
        #expect(harness.messages.count == 1)
        #expect(harness.messages.first?.hasPrefix("14:16: 'identity.traits.email' can never exist") == true)
    }

    @Test func plansASendTemplateRequestWithDefaultsAndOverrides() throws {
        let harness = PluginHarness(
            Self.action + """

                routes:
                  - name: r
                    events: [registration.after]
                    do:
                      - action: mail
                        template: "welcome-{{event.locale | lower}}"
                        to: {email: "{{recipient}}", name: "{{identity.traits.name.first}}"}
                        cc: ["{{identity.traits.manager_email}}", audit@example.com]
                        bcc: archive@example.com
                        reply_to: support@example.com
                        vars: {FNAME: "{{identity.traits.name.first}}", SOURCE: "{{flow.transient_payload.signup_source}}"}
                        template_content: [{name: footer, content: "<b>{{identity.traits.name.last}}</b>"}]
                        tags: [welcome, herald]
                        metadata: {identity: "{{identity.id}}"}
                        subaccount: tenant-1
                        ip_pool: Main Pool
                        send_at: "2030-01-02 03:04:05"
                        headers: {X-Flow: "{{flow.id}}"}
                        track_clicks: false
                        merge_language: mailchimp
                """, env: Self.env)
        #expect(harness.messages == [])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        #expect(job.orderingKey == "jane.doe@example.com")
        #expect(job.payload["endpoint"] == "messages/send-template")
        let request = try #require(job.payload["request"])
        #expect(request["template_name"] == "welcome-en-us")
        #expect(request["template_content"] == [["name": "footer", "content": "<b>Doe</b>"]])
        #expect(request["async"] == false)
        #expect(request["ip_pool"] == "Main Pool")
        #expect(request["send_at"] == "2030-01-02 03:04:05")
        #expect(request["key"] == nil)
        let message = try #require(request["message"])
        #expect(
            message["to"] == [
                ["email": "jane.doe@example.com", "name": "Jane", "type": "to"],
                ["email": "audit@example.com", "type": "cc"],
                ["email": "archive@example.com", "type": "bcc"],
            ])
        #expect(message["from_email"] == "hello@example.com")
        #expect(message["from_name"] == "Example")
        #expect(
            message["headers"] == ["Reply-To": "support@example.com", "X-Flow": "5f2c8a9e-1d3b-4e6f-8a0c-2b4d6f8a0c1e"])
        #expect(
            message["global_merge_vars"] == [
                ["name": "FNAME", "content": "Jane"], ["name": "SOURCE", "content": "landing-page-b"],
            ])
        #expect(message["tags"] == ["herald", "welcome"])
        #expect(message["metadata"]?["service"] == "auth")
        #expect(message["metadata"]?["identity"] != nil)
        #expect(message["subaccount"] == "tenant-1")
        #expect(message["track_clicks"] == false)
        #expect(message["merge_language"] == "mailchimp")
        #expect(message["html"] == nil)
    }

    @Test func plansAnInlineSendFromTheCourierMessage() throws {
        let harness = PluginHarness(
            Self.action + """

                routes:
                  - name: r
                    events: [courier.verification_code_valid]
                    do:
                      - action: mail
                        to: "{{recipient}}"
                        from: {email: "no-reply@example.com", name: "Ex & Co"}
                        subject: "{{subject}}"
                        html: "{{{html_body}}}"
                        text: "{{{body}}}"
                """, env: Self.env)
        #expect(harness.messages == [])
        let event = try ReferenceFiles.kratosEvent(
            "courier-http-verification_code_valid", name: "courier.verification_code_valid")
        let job = try #require(harness.job(event: event))
        #expect(job.payload["endpoint"] == "messages/send")
        let message = try #require(job.payload["request"]?["message"])
        #expect(message["subject"] == "Please verify your email address")
        #expect(message["html"]?.string?.hasPrefix("<p>Hi, please verify your account") == true)
        #expect(message["text"]?.string?.contains("480213") == true)
        #expect(message["from_email"] == "no-reply@example.com")
        #expect(message["from_name"] == "Ex & Co")
        #expect(message["to"] == [["email": "jane.doe@example.com", "type": "to"]])
        #expect(job.payload["request"]?["template_name"] == nil)
        #expect(job.payload["request"]?["template_content"] == nil)
    }

    @Test func aTemplateListRendersEveryNameIntoTheJob() throws {
        let harness = PluginHarness(
            Self.action + """

                routes:
                  - name: r
                    events: [registration.after, login.after]
                    do:
                      - action: mail
                        template: ["welcome-{{event.locale | lower}}", "welcome-{{event.locale | language}}", welcome]
                        to: "{{recipient}}"
                """, env: Self.env)
        #expect(harness.messages == [])
        let step = try #require(harness.step() as? MandrillStep)
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        #expect(job.payload["request"]?["template_name"] == "welcome-en-us")
        #expect(job.payload["template_fallbacks"] == ["welcome-en", "welcome"])

        // Without a locale the names that need one are left out, and nothing counts as missing.
        let bare = try Self.event(name: "login.after", json: #"{"identity": {"traits": {"email": "a@example.com"}}}"#)
        var report = RenderReport()
        #expect(step.templateNames(bare, report: &report) == ["welcome"])
        #expect(report.missingPaths.isEmpty)
        // A locale that is only a language gives one name for both of the first two.
        let german = try Self.event(
            name: "login.after", json: #"{"identity": {"traits": {"email": "a@example.com", "locale": "DE"}}}"#)
        #expect(step.templateNames(german, report: &report) == ["welcome-de", "welcome"])
        let single = try #require(harness.job(event: bare))
        #expect(single.payload["template_fallbacks"] == nil)
    }

    @Test func aTemplateListIsCheckedAtItsPosition() {
        let harness = PluginHarness(
            Self.action + """

                routes:
                  - name: r
                    events: [registration.after]
                    do:
                      - action: mail
                        template: []
                        to: "{{recipient}}"
                  - name: s
                    events: [registration.after]
                    do:
                      - action: mail
                        template: [a, b, c, d, e, f]
                        to: "{{recipient}}"
                  - name: t
                    events: [registration.after]
                    do:
                      - action: mail
                        template: ["welcome-{{identity.trait.x", {a: b}]
                        to: "{{recipient}}"
                """, env: Self.env)
        #expect(
            harness.messages == [
                "13:19: 'template' must name 1 to 5 templates, tried in order; found 0",
                "19:19: 'template' must name 1 to 5 templates, tried in order; found 6",
                "25:29: '{{' is not closed with '}}'",
                "25:50: 'template' must be a text template, found a map",
            ])
    }

    private static func event(name: String, json: String) throws -> Event {
        let payload = try JSONDocument(parsing: Array(json.utf8)).root
        return Event(
            id: TimeOrderedIDGenerator().next(), name: try #require(EventName(name)), receivedAt: .now, triggerID: nil,
            payload: payload)
    }
}
