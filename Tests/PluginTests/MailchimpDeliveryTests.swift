import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// Performing jobs against the Mailchimp test server: the calls are ones the API takes, and
/// each kind of answer becomes its outcome.
@Suite(.serialized) struct MailchimpDeliveryTests {
    static let jane = "jane.doe@example.com"

    @Test func anOptInAddsThePendingMemberWithFieldsAndTags() async throws {
        let fixture = try MailchimpFixture()
        let outcome = try await fixture.perform()
        #expect(outcome == .delivered(detail: "j***@example.com pending, tags +2 -0"))
        let member = try #require(fixture.server.member(Self.jane, in: MailchimpFixture.list))
        #expect(member.status == "pending")
        #expect(member.mergeFields == ["FNAME": "Jane", "LNAME": "Doe"])
        #expect(member.language == "en")
        #expect(member.tags == ["newsletter", "signup-landing-page-b"])
        let requests = fixture.server.requests
        #expect(requests.map(\.method) == ["PUT", "POST"])
        #expect(requests.map(\.path).last == "/3.0/lists/a1b2c3d4e5/members/0cba00ca3da1b283a57287bcceb17e35/tags")
        let authorization = try #require(requests.first?.header("Authorization"))
        let decoded = Data(base64Encoded: String(authorization.dropFirst("Basic ".count))).map {
            String(decoding: $0, as: UTF8.self)
        }
        #expect(decoded == "herald:\(MailchimpFixture.key)")
        #expect(requests.first?.header("Content-Type") == "application/json")
        let lines = fixture.logs.records.map { "\($0.message) \($0.fields)" }.joined(separator: "\n")
        #expect(lines.contains("mailchimp call"))
        #expect(!lines.contains(MailchimpFixture.key))
    }

    @Test func aMemberInAComplianceStateFailsWithMailchimpsTitle() async throws {
        let fixture = try MailchimpFixture(
            audience: MailchimpAudience(members: [.init(email: Self.jane, status: "unsubscribed")]))
        let outcome = try await fixture.perform(
            step: """
                        email: "{{identity.traits.email}}"
                        status_if_new: subscribed
                        status: subscribed
                """)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected failed, got \(outcome)")
            return
        }
        #expect(
            reason.hasPrefix(
                "Mailchimp answered HTTP 400 to PUT member Member In Compliance State: j***@example.com is in a compliance state"
            ))
        #expect(!reason.contains(Self.jane))
        #expect(fixture.server.member(Self.jane, in: MailchimpFixture.list)?.status == "unsubscribed")
    }

    @Test func refusedTagsAfterTheMemberCallSayWhatWasDone() async throws {
        let fixture = try MailchimpFixture()
        fixture.server.inject(.delay(.zero))
        fixture.server.inject(.respond(.problem(400, "Invalid Resource", "The tag name is too long.")))
        let outcome = try await fixture.perform()
        guard case .failed(let reason) = outcome else {
            Issue.record("expected failed, got \(outcome)")
            return
        }
        #expect(
            reason.hasPrefix("Mailchimp answered HTTP 400 to POST tags Invalid Resource: The tag name is too long."))
        #expect(reason.hasSuffix("(done before: pending)"))
    }

    @Test func tooManyRequestsRetriesAndTheRepeatSucceeds() async throws {
        let fixture = try MailchimpFixture()
        fixture.server.inject(.respond(MailchimpFault.tooManyRequests))
        guard case .retry(nil, let reason, false) = try await fixture.perform() else {
            Issue.record("429 did not retry")
            return
        }
        #expect(reason.contains("Too Many Requests"))
        #expect(fixture.server.member(Self.jane, in: MailchimpFixture.list) == nil)
        #expect(try await fixture.perform(attempt: 2) == .delivered(detail: "j***@example.com pending, tags +2 -0"))
    }

    /// Mailchimp applied the PUT and the connection dropped: the attempt is an ambiguous retry,
    /// and the repeat (every call is idempotent) ends in the same state, once.
    @Test func aLostAnswerIsAnAmbiguousRetryAndTheRepeatIsHarmless() async throws {
        let fixture = try MailchimpFixture()
        fixture.server.inject(.applyThenClose)
        guard case .retry(_, let reason, true) = try await fixture.perform() else {
            Issue.record("a dropped connection was not an ambiguous retry")
            return
        }
        #expect(reason.contains("may have been applied"))
        #expect(fixture.server.member(Self.jane, in: MailchimpFixture.list)?.status == "pending")
        #expect(try await fixture.perform(attempt: 2) == .delivered(detail: "j***@example.com pending, tags +2 -0"))
        #expect(
            fixture.server.member(Self.jane, in: MailchimpFixture.list)?.tags == [
                "newsletter", "signup-landing-page-b",
            ])
    }

    @Test func aWrongKeyFailsAndIsNeverShown() async throws {
        let fixture = try MailchimpFixture()
        let wrong = "fedcba9876543210fedcba9876543210-us21"
        guard case .failed(let reason) = try await fixture.perform(key: wrong) else {
            Issue.record("a wrong key did not fail")
            return
        }
        #expect(reason.contains("HTTP 401 to PUT member API Key Invalid"))
        #expect(!reason.contains(wrong))
    }

    @Test func unsubscribeAndArchiveAnExistingMember() async throws {
        let fixture = try MailchimpFixture(
            audience: MailchimpAudience(members: [.init(email: Self.jane, status: "subscribed", tags: ["newsletter"])]))
        let unsubscribe = try await fixture.perform(
            step: """
                        operation: unsubscribe
                        email: "{{recipient}}"
                        remove_tags: [newsletter]
                """)
        #expect(unsubscribe == .delivered(detail: "j***@example.com unsubscribed, tags +0 -1"))
        #expect(fixture.server.member(Self.jane, in: MailchimpFixture.list)?.tags == [])
        let archive = """
                    operation: archive
                    email: "{{recipient}}"
            """
        #expect(try await fixture.perform(step: archive) == .delivered(detail: "j***@example.com archived"))
        guard case .failed = try await fixture.perform(step: archive) else {
            Issue.record("archiving an archived member in a first attempt did not fail")
            return
        }
        #expect(
            try await fixture.perform(step: archive, attempt: 2)
                == .delivered(
                    detail: "j***@example.com archived (not found on a repeat: an earlier attempt archived it)"))
    }

    /// A settings change that unticks a box the user never ticked: the address is not on the
    /// audience, so there is nothing to unsubscribe, and no tags call for a member that is not there.
    @Test func unsubscribingAnAddressNotOnTheAudienceIsDone() async throws {
        let fixture = try MailchimpFixture()
        let outcome = try await fixture.perform(
            step: """
                        operation: unsubscribe
                        email: "{{recipient}}"
                        tags: [opted-out]
                """)
        #expect(outcome == .delivered(detail: "j***@example.com not on the audience (nothing to unsubscribe)"))
        #expect(fixture.server.requests.map(\.method) == ["PATCH"])
        #expect(fixture.server.member(Self.jane, in: MailchimpFixture.list) == nil)
    }

    /// Twenty jobs at once against a server that answers slowly: the action never has more than
    /// the account's 10 connections open, so none meets Mailchimp's 429.
    @Test func oneActionNeverOpensMoreThanTenConnections() async throws {
        let fixture = try MailchimpFixture()
        fixture.server.inject(.delay(.milliseconds(300)), count: 40)
        let harness = fixture.harness(step: MailchimpFixture.optIn)
        let action = try #require(harness.actions["audience"])
        let base = try ReferenceFiles.kratosPayload("registration-after")
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for index in 0..<20 {
                let text = String(decoding: base, as: UTF8.self)
                    .replacingOccurrences(of: Self.jane, with: "user\(index)@example.com")
                let document = try JSONDocument(parsing: Array(text.utf8))
                let event = Event(
                    id: TimeOrderedID(high: 1, low: UInt64(index)), name: try #require(EventName("registration.after")),
                    receivedAt: .now, triggerID: nil, payload: document.root)
                let job = try #require(harness.job(event: event))
                group.addTask { await action.perform(job, context: .testing(timeout: .seconds(60))) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0.label == "delivered" }, "\(outcomes)")
        #expect(fixture.server.mostInFlight <= 10)
    }
}
