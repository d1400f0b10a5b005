import HeraldCore
import Testing

@testable import HeraldConsole

@Suite struct RecentEventsTests {
    func event(_ email: String) throws -> Event {
        Event(
            id: TimeOrderedIDGenerator().next(), name: try #require(EventName("registration.after")), receivedAt: .now,
            triggerID: nil, payload: try JSONDocument(parsing: #"{"identity":{"traits":{"email":"\#(email)"}}}"#).root,
            hookMethod: "password")
    }

    @Test func keepsTheLastEventsNewestFirstWithTheRecipientMasked() throws {
        let recent = RecentEvents(capacity: 3)
        for index in 1...5 { recent.record(try event("user\(index)@example.com"), .accepted(routes: ["r"], jobs: 1)) }
        let entries = recent.entries
        #expect(entries.map(\.recipient) == ["u***@example.com", "u***@example.com", "u***@example.com"])
        #expect(entries.count == 3 && entries.first?.method == "password")
        #expect(entries.map(\.receivedAt) == entries.map(\.receivedAt).sorted(by: >))
        let ids = entries.map(\.id)
        recent.record(try event("last@example.com"), .duplicate)
        #expect(recent.entries.first?.recipient == "l***@example.com" && recent.entries.first?.decision == .duplicate)
        #expect(Array(recent.entries.dropFirst()).map(\.id) == Array(ids.prefix(2)))
    }
}
