import HeraldCore
import HeraldTestSupport
import Testing

@testable import MailchimpPlugin

/// Compiling `do:` steps of a mailchimp action and the jobs they plan: the payload is every call
/// the job will make, valid against the API description, without the key.
@Suite struct MailchimpStepTests {
    static let key = "0123456789abcdef0123456789abcdef-us21"
    /// md5("jane.doe@example.com")
    static let hash = "0cba00ca3da1b283a57287bcceb17e35"

    func harness(_ step: String, events: String = "registration.after") -> PluginHarness {
        PluginHarness(
            """
            actions:
              audience:
                plugin: mailchimp
                api_key: "${env:MAILCHIMP_API_KEY}"
                list_id: a1b2c3d4e5
            routes:
              - name: r
                events: [\(events)]
                do:
                  - action: audience
            \(step)
            """, env: ["MAILCHIMP_API_KEY": Self.key])
    }

    func plan(_ step: String, payload: String = "registration-after") throws -> Job {
        let harness = harness(step)
        #expect(harness.messages == [])
        let event = try ReferenceFiles.kratosEvent(payload, name: "registration.after")
        return try #require(harness.job(event: event))
    }

    @Test func anUpsertPlansThePutAndTheTagsCallAsTheAPIDescribesThem() throws {
        let job = try plan(
            """
                    email: "  Jane.Doe@Example.com "
                    status_if_new: pending
                    status: subscribed
                    merge_fields: {FNAME: "{{identity.traits.name.first}}", NICK: "{{identity.traits.nick}}"}
                    language: "{{event.locale | language}}"
                    skip_merge_validation: true
                    tags: [newsletter, "signup-{{flow.transient_payload.signup_source}}", "plan-{{identity.traits.plan}}", newsletter]
                    remove_tags: [churned]
            """)
        let member = "/lists/a1b2c3d4e5/members/\(Self.hash)"
        #expect(
            job.payload == [
                "operation": "upsert", "list_id": "a1b2c3d4e5", "email": "Jane.Doe@Example.com",
                "requests": [
                    [
                        "method": "PUT", "path": .string(member), "query": "skip_merge_validation=true",
                        "body": [
                            "email_address": "Jane.Doe@Example.com", "status_if_new": "pending", "status": "subscribed",
                            // NICK rendered empty: left out, so a stored value is kept.
                            "merge_fields": ["FNAME": "Jane"], "language": "en",
                        ],
                    ],
                    [
                        "method": "POST", "path": .string(member + "/tags"),
                        "body": [
                            "tags": [
                                ["name": "newsletter", "status": "active"],
                                ["name": "signup-landing-page-b", "status": "active"],
                                ["name": "churned", "status": "inactive"],
                            ]
                        ],
                    ],
                ],
            ])
        #expect(job.orderingKey == "jane.doe@example.com")
        let api = try MailchimpOpenAPI.shared()
        let requests = try #require(job.payload["requests"]?.array)
        #expect(
            api.validateRequest(
                try #require(requests[0]["body"]), path: "/lists/{list_id}/members/{subscriber_hash}", method: "put")
                == [])
        #expect(
            api.validateRequest(
                try #require(requests[1]["body"]), path: "/lists/{list_id}/members/{subscriber_hash}/tags",
                method: "post") == [])
        #expect(!job.payload.serializedString.contains(Self.key))
    }

    @Test func unsubscribeAndArchive() throws {
        let unsubscribe = try plan(
            """
                    operation: unsubscribe
                    email: "{{recipient}}"
                    list_id: f0f0f0f0f0
                    tags: [opted-out]
            """)
        #expect(
            unsubscribe.payload["requests"] == [
                [
                    "method": "PATCH", "path": .string("/lists/f0f0f0f0f0/members/\(Self.hash)"),
                    "body": ["status": "unsubscribed"],
                ],
                [
                    "method": "POST", "path": .string("/lists/f0f0f0f0f0/members/\(Self.hash)/tags"),
                    "body": ["tags": [["name": "opted-out", "status": "active"]]],
                ],
            ])
        let archive = try plan(
            """
                    operation: archive
                    email: "{{recipient}}"
            """)
        #expect(
            archive.payload["requests"] == [
                ["method": "DELETE", "path": .string("/lists/a1b2c3d4e5/members/\(Self.hash)")]
            ])
    }

    @Test func anEventWithoutAnAddressPlansNothing() throws {
        let harness = harness(
            """
                    operation: archive
                    email: "{{identity.traits.work_email}}"
            """)
        let step = try #require(harness.step())
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        var report = RenderReport()
        #expect(step.plan(event, report: &report).nothingBecause == "no member: 'email' rendered empty for this event")
        let named = try #require(
            self.harness(
                """
                        operation: archive
                        email: "{{identity.traits.name.first}}"
                """
            ).step())
        #expect(named.plan(event, report: &report).nothingBecause == "no member: 'email' is not an address (J***)")
    }

    @Test func stepProblemsAreReportedAtTheirPositions() {
        let harness = harness(
            """
                    operation: archive
                    email: "{{recipient}}"
                    status_if_new: subscribed
                    tags: [x]
              - name: s
                events: [registration.after]
                do:
                  - action: audience
                    operation: clean
                    email: "{{recipient}}"
              - name: t
                events: [registration.after]
                do:
                  - action: audience
                    email: "{{recipient}}"
                    status_if_new: unsubscribed
                    merge_fields: {fname: x, "": y}
                    tags: [" "]
              - name: u
                events: [registration.after]
                do:
                  - action: audience
                    email: "{{recipient}}"
            """)
        let messages = harness.messages
        #expect(messages.contains("13:9: 'status_if_new' applies to operation upsert only, not archive"))
        #expect(messages.contains("14:9: 'tags' cannot be used with operation archive"))
        #expect(
            messages.contains {
                $0.hasPrefix("19:20: operation 'clean' is not offered: Mailchimp sets 'cleaned' itself")
            })
        #expect(
            messages.contains(
                "26:24: 'status_if_new' must be subscribed or pending, found unsubscribed (use operation: unsubscribe)")
        )
        #expect(messages.contains { $0.hasPrefix("27:24: 'fname' is not a merge tag") })
        #expect(messages.contains { $0.hasPrefix("27:34: '' is not a merge tag") })
        #expect(messages.contains("28:16: a tag name must not be empty"))
        #expect(
            messages.contains {
                $0.hasPrefix(
                    "32:9: step 1 of route 'u' needs 'status_if_new': subscribed, or pending for double opt-in")
            })
        #expect(messages.count == 8, "\(messages.joined(separator: "\n"))")
    }
}
