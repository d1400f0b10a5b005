import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// Issue 11, the whole Mailchimp loop through the real binary and three faithful test servers: a
/// registration with newsletter opt-in sends the Mandrill welcome and adds the Mailchimp member;
/// Mandrill then posts a hard bounce for that very message (found by its metadata), and Herald
/// marks the identity through Kratos' admin API and unsubscribes the member.
@Suite struct MailchimpLoopTests {
    static let mandrillKey = "md-loop-key-0123456789"
    static let mailchimpKey = "0123456789abcdef0123456789abcdef-us21"
    static let kratosToken = "ory_pat_loop0123456789"
    static let webhookKey = "whk-loop-0123456789"
    static let webhookURL = "https://herald.example.com/v1/mandrill/events"
    static let list = "a1b2c3d4e5"
    static let identity = "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20"
    static let jane = "jane.doe@example.com"

    private func config(mandrill: String, mailchimp: String, kratos: String) -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress:
          insecure_no_auth: true
          mandrill_webhooks: { url: "\(Self.webhookURL)", keys: ["${env:WEBHOOK_KEY}"] }
        delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h }, timeout: 5s }
        actions:
          mail: { plugin: mandrill, api_key: "${env:MANDRILL_KEY}", base_url: "\(mandrill)", from: hello@example.com }
          audience: { plugin: mailchimp, api_key: "${env:MAILCHIMP_KEY}", list_id: \(Self.list), base_url: "\(mailchimp)" }
          kratos: { plugin: kratos, admin_url: "\(kratos)", token: "${env:KRATOS_TOKEN}" }
        routes:
          - name: welcome
            events: [registration.after]
            do: [{ action: mail, template: welcome, to: "{{recipient}}" }]
          - name: newsletter
            events: [registration.after]
            when: { identity.traits.newsletter: true }
            do:
              - action: audience
                email: "{{identity.traits.email}}"
                status_if_new: subscribed
                merge_fields: { FNAME: "{{identity.traits.name.first}}" }
          - name: bounced-identity
            events: [mandrill.hard_bounce]
            do:
              - action: kratos
                identity: "{{msg.metadata.herald_identity}}"
                patch:
                  - { op: add, path: /metadata_admin/email_undeliverable, value: true }
          - name: bounced-member
            events: [mandrill.hard_bounce]
            do: [{ action: audience, operation: unsubscribe, email: "{{msg.email}}" }]
        """
    }

    @Test(arguments: StoreKind.available)
    func aBounceOfTheWelcomeMarksTheIdentityAndUnsubscribesTheMember(store: StoreKind) async throws {
        let mandrill = try MandrillTestServer(keys: [Self.mandrillKey], templates: ["welcome"])
        let mailchimp = try MailchimpTestServer(apiKey: Self.mailchimpKey, audiences: [Self.list: MailchimpAudience()])
        let kratos = try KratosAdminTestServer(
            identities: [KratosAdminAPISimulator.identity(id: Self.identity, traits: ["email": .string(Self.jane)])],
            token: Self.kratosToken)
        defer {
            mandrill.stop()
            mailchimp.stop()
            kratos.stop()
        }
        try mandrill.start()
        try mailchimp.start()
        try kratos.start()
        let config = config(
            mandrill: try #require(mandrill.baseURL), mailchimp: try #require(mailchimp.baseURL),
            kratos: try #require(kratos.baseURL))
        let (herald, address) = try await Integration.serve(
            try store.prepare(config),
            environment: [
                "MANDRILL_KEY": Self.mandrillKey, "MAILCHIMP_KEY": Self.mailchimpKey, "KRATOS_TOKEN": Self.kratosToken,
                "WEBHOOK_KEY": Self.webhookKey,
            ])

        // 1. The registration: the welcome goes out and the member joins the audience.
        let registered = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(registered.status == 202)
        #expect(try await Integration.eventually { mandrill.sent.count == 1 })
        #expect(try await Integration.eventually { mailchimp.member(Self.jane, in: Self.list)?.status == "subscribed" })
        let welcome = try #require(mandrill.sent.first)
        #expect(welcome.metadata["herald_identity"]?.string == Self.identity)

        // 2. Mandrill reports the welcome bounced, with the message as it has it.
        let bounce: JSON = [
            [
                "event": "hard_bounce", "_id": .string(welcome.id),
                "ts": .int(welcome.ts.millisecondsSinceEpoch / 1000 + 5),
                "msg": [
                    "ts": .int(welcome.ts.millisecondsSinceEpoch / 1000), "_id": .string(welcome.id),
                    "state": "bounced",
                    "email": .string(welcome.email), "sender": .string(welcome.sender),
                    "metadata": .object(welcome.metadata), "bounce_description": "bad_mailbox",
                    "diag": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
                ],
            ]
        ]
        let posted = try MandrillWebhookPoster(url: Self.webhookURL, key: Self.webhookKey)
            .post(String(decoding: bounce.serialized(), as: UTF8.self), to: address)
        #expect(posted.status == 200, "\(posted.text)")
        let answer: JSON = ["events": 1, "duplicates": 0, "stale": 0, "jobs": 2]
        #expect(try JSONDocument(parsing: posted.body).root.json == answer)

        // 3. The application learns the address is dead; the audience stops mailing it.
        #expect(
            try await Integration.eventually {
                kratos.identity(Self.identity)?["metadata_admin"]?["email_undeliverable"] == JSON.bool(true)
            })
        #expect(
            try await Integration.eventually { mailchimp.member(Self.jane, in: Self.list)?.status == "unsubscribed" })
        for secret in [Self.mandrillKey, Self.mailchimpKey, Self.kratosToken, Self.webhookKey] {
            #expect(!herald.output.contains(secret))
        }
        try await herald.stop()
    }
}
