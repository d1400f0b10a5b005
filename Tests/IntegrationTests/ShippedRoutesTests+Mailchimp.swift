import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

extension ShippedRoutesTests {
    static let mailchimpKey = "0123456789abcdef0123456789abcdef-us21"

    /// Uncomments the shipped `audience` action and routes.d/40-newsletter-audience.yaml, as the
    /// comments there tell an operator to, and points the action at `server`.
    static func enableAudience(_ config: inout String, in copy: URL, server: MailchimpTestServer) throws {
        let commented = """
              # audience:
              #   plugin: mailchimp
              #   api_key: "${credential:mailchimp-key}"
              #   list_id: a1b2c3d4e5
            """
        #expect(config.contains(commented), "etc/herald/herald.yaml no longer has the commented audience action")
        let action = commented.replacingOccurrences(of: "  # ", with: "  ")
        config = config.replacingOccurrences(
            of: commented, with: action + "\n    base_url: \"\(try #require(server.baseURL))\"")
        let routes = copy.appendingPathComponent("routes.d/40-newsletter-audience.yaml")
        let lines = try String(contentsOf: routes, encoding: .utf8).components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "# routes:"))
        let enabled = lines[..<start] + lines[start...].map { $0 == "#" ? "" : String($0.dropFirst(2)) }
        try enabled.joined(separator: "\n").write(to: routes, atomically: true, encoding: .utf8)
        try mailchimpKey.write(
            to: copy.deletingLastPathComponent().appendingPathComponent("credentials/mailchimp-key"), atomically: true,
            encoding: .utf8)
    }

    /// The shipped newsletter routes, uncommented: the opt-in at registration makes a pending member
    /// with its tags, and unticking the box in settings unsubscribes it.
    @Test func theShippedAudienceRoutesSubscribeAtSignUpAndUnsubscribeInSettings() async throws {
        let mandrill = try MandrillTestServer(keys: [Self.mandrillKey], templates: ["welcome", "newsletter-confirm"])
        try mandrill.start()
        defer { mandrill.stop() }
        let list = "a1b2c3d4e5"
        let mailchimp = try MailchimpTestServer(apiKey: Self.mailchimpKey, audiences: [list: MailchimpAudience()])
        try mailchimp.start()
        defer { mailchimp.stop() }
        let (herald, address) = try await Self.serve(mandrill) { config, copy in
            try Self.enableAudience(&config, in: copy, server: mailchimp)
        }
        let registration = try Self.post(
            "/v1/events/registration/after", try ReferenceFiles.kratosPayload("registration-after"), to: address)
        #expect(registration.text.contains(#""routes":["welcome","newsletter-opt-in","newsletter-member"]"#))
        let jane = "jane.doe@example.com"
        #expect(try await Integration.eventually { mailchimp.member(jane, in: list)?.tags.count == 2 })
        let member = try #require(mailchimp.member(jane, in: list))
        #expect(member.status == "pending")
        #expect(member.mergeFields == ["FNAME": "Jane", "LNAME": "Doe"])
        #expect(member.tags == ["kratos", "source-landing-page-b"])

        let settings = try Self.post(
            "/v1/events/settings/after", try ReferenceFiles.kratosPayload("settings-after"), to: address)
        #expect(settings.text.contains("newsletter-opt-out"), "\(settings.text)")
        #expect(try await Integration.eventually { mailchimp.member(jane, in: list)?.status == "unsubscribed" })
        #expect(try await Integration.eventually { mailchimp.member(jane, in: list)?.tags.count == 3 })
        try await herald.stop()
        #expect(!herald.output.contains(Self.mailchimpKey))
    }
}
