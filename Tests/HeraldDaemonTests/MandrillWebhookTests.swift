import HeraldCore
import Testing

@testable import HeraldDaemon

/// Mandrill's webhook posts: the form, the signature against the worked examples of
/// reference/mandrill-webhooks.md §6 and §7 (computed there independently with Python's hmac),
/// and the batch's events.
@Suite struct MandrillWebhookTests {
    static let batchJSON =
        #"[{"event":"send","_id":"a92c74e4c5d74998ba690cd535483bb7","ts":1767225660,"msg":{"ts":1767225600,"_id":"a92c74e4c5d74998ba690cd535483bb7","state":"sent","email":"ann@example.com","sender":"noreply@example.com","subject":"Welcome","tags":["welcome"],"metadata":{"herald_send_id":"hs-0001"},"opens":[],"clicks":[],"smtp_events":[],"subaccount":null,"template":"welcome-v1"}}]"#
    static let batchBody =
        "mandrill_events=%5B%7B%22event%22%3A%22send%22%2C%22_id%22%3A%22a92c74e4c5d74998ba690cd535483bb7%22%2C%22ts%22%3A1767225660%2C%22msg%22%3A%7B%22ts%22%3A1767225600%2C%22_id%22%3A%22a92c74e4c5d74998ba690cd535483bb7%22%2C%22state%22%3A%22sent%22%2C%22email%22%3A%22ann%40example.com%22%2C%22sender%22%3A%22noreply%40example.com%22%2C%22subject%22%3A%22Welcome%22%2C%22tags%22%3A%5B%22welcome%22%5D%2C%22metadata%22%3A%7B%22herald_send_id%22%3A%22hs-0001%22%7D%2C%22opens%22%3A%5B%5D%2C%22clicks%22%3A%5B%5D%2C%22smtp_events%22%3A%5B%5D%2C%22subaccount%22%3Anull%2C%22template%22%3A%22welcome-v1%22%7D%7D%5D"

    @Test func theWorkedBatchDecodesAndVerifies() throws {
        let form = try FormBody(Array(Self.batchBody.utf8))
        #expect(try form.value("mandrill_events") == Self.batchJSON)
        let url = "https://hooks.example.com/mandrill/events?source=herald"
        #expect(
            MandrillSignature.compute(key: "k3yF0rT3st1ngOnly_abc123", url: url, parameters: form.pairs)
                == "M1Q926sinx6Cbp68UDaXZa7vnuU=")
        #expect(
            MandrillSignature.isValid(
                "M1Q926sinx6Cbp68UDaXZa7vnuU=", keys: ["old-key", "k3yF0rT3st1ngOnly_abc123"], url: url,
                parameters: form.pairs))
        // A trailing slash is a different URL, so a different signature (§5).
        #expect(
            MandrillSignature.compute(
                key: "k3yF0rT3st1ngOnly_abc123", url: "https://hooks.example.com/mandrill/events/?source=herald",
                parameters: form.pairs) == "7uz0/7ke0jkOC8kYMx0V9vpve9s=")
        #expect(
            !MandrillSignature.isValid(
                "M1Q926sinx6Cbp68UDaXZa7vnuU=", keys: ["another-key"], url: url, parameters: form.pairs))
    }

    @Test func theURLCheckIsSignedWithThePublicKey() throws {
        let form = try FormBody(Array("mandrill_events=%5B%5D".utf8))
        #expect(
            MandrillSignature.compute(
                key: MandrillSignature.verificationKey, url: "https://hooks.example.com/mandrill/events",
                parameters: form.pairs) == "T/TQHmUn3vZuGlSeHj8MUO/669Q=")
    }

    @Test func malformedFormsAreRefusedWithTheReason() {
        #expect(throws: IngressRejection(.badForm, "a '%' escape is not followed by two hex digits")) {
            try FormBody(Array("mandrill_events=%5".utf8))
        }
        #expect(throws: IngressRejection(.badForm, "a form field is not valid UTF-8")) {
            try FormBody(Array("mandrill_events=%FF".utf8))
        }
        #expect(throws: IngressRejection(.badForm, "'a' appears 2 times")) {
            try FormBody(Array("a=1&a=2".utf8)).value("a")
        }
        #expect((try? FormBody(Array("a+b=c+d&e".utf8)).pairs.map { "\($0.name)=\($0.value)" }) == ["a b=c d", "e="])
    }

    @Test func eachEventBecomesAHeraldEventWithItsRedeliveryKey() throws {
        let text = """
            [{"event":"hard_bounce","_id":"m1","ts":10,"msg":{"_id":"m1","email":"ann@example.com","metadata":{"herald_job":"j"}}},
             {"event":"click","_id":"m1","ts":11,"url":"https://a.example","msg":{"_id":"m1","email":"ann@example.com"}},
             {"event":"click","_id":"m1","ts":11,"url":"https://b.example","msg":{"_id":"m1","email":"ann@example.com"}},
             {"type":"denylist","action":"add","ts":12,"reject":{"email":"bob@example.com","reason":"hard-bounce"}},
             {"event":"a_new_kind","ts":13,"msg":{}}]
            """
        let batch = try MandrillEventBatch(text, limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 20))
        #expect(
            batch.items.map(\.name.rawValue) == [
                "mandrill.hard_bounce", "mandrill.click", "mandrill.click", "mandrill.blacklist",
            ])
        #expect(Set(batch.items.map(\.dedupeKey)).count == 4, "two clicks on different links are two events")
        #expect(batch.unknownTypes == ["a_new_kind"])
        let bounce = Event(
            id: TimeOrderedID(high: 1, low: 1), name: batch.items[0].name, receivedAt: .now, triggerID: nil,
            payload: batch.items[0].payload)
        #expect(bounce.recipient == "ann@example.com")
        let sync = Event(
            id: TimeOrderedID(high: 1, low: 2), name: batch.items[3].name, receivedAt: .now, triggerID: nil,
            payload: batch.items[3].payload)
        #expect(sync.recipient == "bob@example.com")
    }

    @Test func anEventBeforeTheOldestAcceptedTimeOrWithoutTsIsStale() throws {
        let text = """
            [{"event":"send","ts":999,"msg":{}}, {"event":"send","ts":1000,"msg":{}}, {"event":"send","ts":1000.9,"msg":{}},
             {"event":"send","msg":{}}, {"event":"send","ts":"1000","msg":{}}, {"type":"blacklist","ts":5000,"action":"add"}]
            """
        let batch = try MandrillEventBatch(text, limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 20))
        #expect(batch.items.map(\.timestamp) == [999, 1000, 1000, nil, nil, 5000])
        let oldest = WallClock(millisecondsSinceEpoch: 1_000_500)
        #expect(batch.items.map { $0.isStale(oldest: oldest) } == [true, false, false, true, true, false])
    }

    @Test func aBatchThatIsNotAnArrayOfObjectsIsRefused() {
        let limits = JSONLimits(maxDepth: 64, maxBytes: 1 << 20)
        #expect(throws: IngressRejection.self) { try MandrillEventBatch("{}", limits: limits) }
        #expect(throws: IngressRejection.self) { try MandrillEventBatch("[1]", limits: limits) }
        #expect(throws: IngressRejection.self) { try MandrillEventBatch("[", limits: limits) }
        let tooMany = "[" + Array(repeating: "{}", count: 1001).joined(separator: ",") + "]"
        #expect(throws: IngressRejection.self) { try MandrillEventBatch(tooMany, limits: limits) }
    }
}
