import HeraldCore
import HeraldTestSupport
import Testing

@testable import MandrillPlugin

/// Issue 18, item 9: what `messages/search` says about an earlier attempt of a job. Only a
/// message of this job, to one of its recipients, that Mandrill did not reject, counts as sent.
@Suite struct MandrillEarlierSendTests {
    private let job = Job(
        id: TimeOrderedID(high: 0x0190_0000_0000_0002, low: 7), eventID: TimeOrderedID(high: 1, low: 2),
        eventName: EventName("registration.after")!, route: "welcome", action: "mail", payload: [:], orderingKey: nil,
        createdAt: .now, notBefore: .now)

    private func finding(_ messages: [JSON]) -> MandrillEarlierSend.Finding {
        let body = JSON.array(messages).serialized()
        return MandrillEarlierSend.finding(
            in: MandrillResponse(status: 200, retryAfter: nil, body: body), job: job, recipients: ["jane@example.com"],
            redactor: RemoteTextRedactor(secrets: []))
    }

    private func message(_ id: String, state: String?, email: String = "jane@example.com", job: String? = nil) -> JSON {
        var object: JSONObject = [
            "_id": .string(id), "email": .string(email),
            "metadata": ["herald_job": .string(job ?? self.job.id.description)],
        ]
        if let state { object["state"] = .string(state) }
        return .object(object)
    }

    @Test func aSentMessageOfThisJobIsFound() {
        #expect(finding([message("m1", state: "sent")]) == .found("m1"))
        // Bounced, deferred, marked as spam: Mandrill sent it; sending again would repeat it.
        #expect(finding([message("m2", state: "bounced")]) == .found("m2"))
        #expect(finding([message("m3", state: "deferred")]) == .found("m3"))
        // No state at all: taken as sent (a duplicate is worse than a dead letter's retry).
        #expect(finding([message("m4", state: nil)]) == .found("m4"))
    }

    @Test func aRejectedMessageIsNoEarlierSend() {
        #expect(finding([message("r1", state: "rejected")]) == .notFound)
        #expect(finding([message("r2", state: "canceled")]) == .notFound)
        // A rejected first attempt and a sent second one: the sent one is found.
        #expect(finding([message("r3", state: "rejected"), message("s3", state: "sent")]) == .found("s3"))
    }

    @Test func anotherJobsOrRecipientsMessageIsNoEarlierSend() {
        #expect(finding([message("o1", state: "sent", job: "other")]) == .notFound)
        #expect(finding([message("o2", state: "sent", email: "joe@example.com")]) == .notFound)
    }
}
