import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The commands that read no secrets (`check --no-secrets`, and `queue`/`dead` on the local store)
/// accept every secret reference the documentation shows, and the store commands never print a database
/// password, even from a DSN libpq cannot read.
@Suite struct CommandsWithoutSecretsTests {
    static let webhookSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

    /// Every secret-holding option of every plugin, from references (some inside longer text).
    static let everyPlugin = """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress:
          auth:
            - api_key: { header: X-Herald-Key, value: "${env:INGRESS_KEY}" }
          mandrill_webhooks: { url: "https://h.example.com/v1/mandrill/events", keys: ["${env:MANDRILL_WEBHOOK_KEY}"] }
        actions:
          md: { plugin: mandrill, api_key: "${env:MANDRILL_KEY}", from: hello@example.com }
          mc: { plugin: mailchimp, api_key: "${env:MAILCHIMP_KEY}", list_id: a1b2c3d4e5 }
          kr: { plugin: kratos, admin_url: "http://kratos:4434", token: "${env:KRATOS_TOKEN}" }
          hook:
            plugin: webhook
            url: "${env:HOOK_URL}"
            secrets: ["${env:WEBHOOK_SECRET}", "whsec_${env:WEBHOOK_SECRET_BASE64}"]
            headers: { Authorization: "Bearer ${env:HOOK_TOKEN}" }
          ex: { plugin: exec, program: /bin/true, environment: { TOKEN: "${env:EXEC_TOKEN}" } }
          sm:
            plugin: smtp
            url: "${env:SMTP_URL}"
            username: "${env:SMTP_USER}"
            password: "${env:SMTP_PASSWORD}"
            from: hello@example.com
        routes:
          - name: r
            events: [registration.after]
            do:
              - { action: md, to: "{{recipient}}", template: welcome }
              - { action: mc, email: "{{recipient}}", status_if_new: subscribed }
              - { action: kr, identity: "{{identity.id}}", patch: [{ op: add, path: /metadata_admin/x, value: "1" }] }
              - { action: hook }
              - { action: ex }
              - { action: sm, to: "{{recipient}}", subject: hi, text: hello }
        """

    private func write(_ config: String) throws -> URL {
        let directory = try makeTemporaryDirectory()
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test func checkWithoutSecretsAcceptsEverySecretReference() async throws {
        let directory = try write(Self.everyPlugin)
        let check = try await BlockingWork.run {
            try HeraldProcess.run(["check", "--no-secrets", "--config", "herald.yaml"], in: directory)
        }
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("hook: webhook — webhook → POST"), "\(check.stdout)")
        #expect(check.stdout.contains("(2 secrets; headers: Authorization)"))
        #expect(check.stdout.contains("sm: smtp — smtp → <url from a secret>"))
    }

    /// A receiver's token written into the URL itself (Slack's path, a `?token=`) stays out of
    /// check's summary, which ends up in CI logs.
    @Test func checkLeavesTokensWrittenIntoAWebhookURLOut() async throws {
        let token = "a1b2c3d4e5f6g7h8i9j0k1l2"
        let directory = try write(
            """
            listen: ["127.0.0.1:0"]
            ingress: { insecure_no_auth: true }
            actions:
              slack:
                plugin: webhook
                url: "https://hooks.slack.com/services/T0001/B0001/\(token)?token=query-token-5678"
                secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]
            routes:
              - { name: r, events: [registration.after], do: [{ action: slack }] }
            """)
        let check = try await BlockingWork.run {
            try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        }
        #expect(check.status == 0, "\(check.stderr)")
        #expect(
            check.stdout.contains("webhook → POST https://hooks.slack.com/services/T0001/B0001/…?token=… (1 secret)"),
            "\(check.stdout)")
        #expect(!check.stdout.contains(token) && !check.stdout.contains("query-token"))
    }

    @Test func queueAndDeadWorkOnAConfigWithAWebhookAction() async throws {
        let (herald, _) = try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            actions:
              hook: { plugin: webhook, url: "https://hooks.example.com/h", secrets: ["${env:WEBHOOK_SECRET}"] }
            routes:
              - { name: forward, events: [registration.after], do: [{ action: hook }] }
            """, environment: ["WEBHOOK_SECRET": Self.webhookSecret])
        // While it runs (through its control socket) and once it stopped (on the spool itself); with
        // the secret present, as the documentation runs them, and without it (they read none).
        for running in [true, false] {
            if !running { try await herald.stop() }
            for environment in [["WEBHOOK_SECRET": Self.webhookSecret], [:]] {
                for section in ["queue", "dead"] {
                    let directory = herald.directory
                    let result = try await BlockingWork.run {
                        try HeraldProcess.run(
                            [section, "list", "--config", "herald.yaml"], in: directory, environment: environment)
                    }
                    #expect(result.status == 0, "\(section): \(result.stderr)")
                    let empty = section == "queue" ? "the queue is empty" : "no dead letters"
                    #expect(result.stdout.contains(empty), "\(result.stdout)")
                }
            }
        }
    }

    @Test(arguments: [false, true])
    func anUnreadableDSNNeverShowsItsPassword(fromASecret: Bool) async throws {
        let dsn = "postgresql://herald:PGSECRET%ZZpw02@127.0.0.1:1/herald"
        let directory = try write(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            store: { postgres: { dsn: "\(fromASecret ? "${env:HERALD_DSN}" : dsn)" } }
            ingress: { insecure_no_auth: true }
            actions: { box: { plugin: outbox } }
            routes:
              - { name: r, events: [registration.after], do: [{ action: box, to: a@example.com, text: x }] }
            """)
        for section in ["queue", "dead"] {
            let result = try await BlockingWork.run {
                try HeraldProcess.run(
                    [section, "list", "--config", "herald.yaml"], in: directory, environment: ["HERALD_DSN": dsn])
            }
            #expect(result.status == 1)
            #expect(
                result.stderr.contains("cannot connect to PostgreSQL: invalid percent-encoded token"),
                "\(result.stderr)")
            #expect(!result.stderr.contains("PGSECRET") && !result.stderr.contains("ZZpw02"), "\(result.stderr)")
            #expect(!result.stdout.contains("PGSECRET"))
        }
    }
}
