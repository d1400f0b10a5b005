import HeraldCore
import HeraldJobs
import HeraldTestSupport
import Testing

/// `herald forget|export` and retention (issue 21) hold the same on every `JobStore`: a person's
/// jobs and dead letters are found by what they hold, and only theirs are touched.
@Suite struct PersonalDataBehaviourTests {
    private let ids = TimeOrderedIDGenerator()
    private static let identity = "9f4254a5-2b7c-4c3e-8f3a-0d1e2f3a4b5c"

    /// A `JobControl` over the store whichever it is (the existential opened).
    private static func control(_ store: some JobStore) -> any QueueControl { JobControl(store: store) }

    private func job(_ store: any JobStore, payload: JSON) -> Job {
        let now = store.now
        return Job(
            id: ids.next(), eventID: ids.next(), eventName: EventName("registration.after")!, route: "welcome",
            action: "mail", payload: payload, orderingKey: nil, createdAt: now, notBefore: now)
    }

    /// Ada's queued job and dead letter; Bob's job; a webhook job that names Ada's identity only.
    private func seed(_ store: any JobStore) async throws -> (ada: Job, adaDead: Job, bob: Job, hook: Job) {
        let ada = job(store, payload: ["message": ["to": [["email": "Ada.Lovelace@Example.com"]]]])
        let adaDead = job(store, payload: ["to": "ada.lovelace@example.com"])
        let bob = job(store, payload: ["to": "bob@example.com", "note": "not ada"])
        let hook = job(store, payload: ["body": .string(#"{"identity":{"id":"\#(Self.identity)"}}"#)])
        try await store.add([adaDead])
        let claim = try #require(try await store.claim().first)
        #expect(try await store.finish(claim, .dead(.failed("rejected")), attempts: 1) == .recorded)
        try await store.add([ada, bob, hook])
        return (ada, adaDead, bob, hook)
    }

    @Test(arguments: StoreUnderTest.all)
    func forgetByAddressRemovesOnlyThatPersonsJobsAndDeadLetters(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let seeded = try await seed(store)
            let control = Self.control(store)
            let subject = try #require(DataSubject(identity: nil, email: "ADA.lovelace@example.COM"))
            let answer = try control.forget(subject)
            #expect(answer["jobs"]?.int == 1 && answer["dead_letters"]?.int == 1 && answer["files"]?.int == 0)
            #expect(answer["subject_digest"]?.string == subject.digest)
            #expect(try store.stored(seeded.ada.id) == nil && store.stored(seeded.adaDead.id) == nil)
            let left = try store.page(.queue, filter: JobFilter(), limit: 0).items.map(\.id)
            #expect(Set(left) == [seeded.bob.id, seeded.hook.id])
            #expect(try store.page(.dead, filter: JobFilter(), limit: 0).total == 0)
            // Asked again, there is nothing left of her.
            let again = try control.forget(subject)
            #expect(again["jobs"]?.int == 0 && again["dead_letters"]?.int == 0)
        }
    }

    @Test(arguments: StoreUnderTest.all)
    func forgetByIdentityFindsJobsThatNameTheIdentity(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let seeded = try await seed(store)
            let subject = try #require(DataSubject(identity: Self.identity.uppercased(), email: nil))
            let answer = try Self.control(store).forget(subject)
            #expect(answer["jobs"]?.int == 1 && answer["dead_letters"]?.int == 0)
            #expect(try store.stored(seeded.hook.id) == nil)
            #expect(try store.stored(seeded.ada.id) != nil)
        }
    }

    @Test(arguments: StoreUnderTest.all)
    func exportListsThePersonsJobsAndDeadLettersWithPayloads(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let seeded = try await seed(store)
            let subject = try #require(DataSubject(identity: Self.identity, email: "ada.lovelace@example.com"))
            let document = try Self.control(store).export(subject)
            let jobs = try #require(document["jobs"]?.array)
            let dead = try #require(document["dead_letters"]?.array)
            #expect(
                Set(jobs.compactMap { $0["id"]?.string }) == [seeded.ada.id.description, seeded.hook.id.description])
            #expect(dead.compactMap { $0["id"]?.string } == [seeded.adaDead.id.description])
            #expect(dead.first?["payload"] == seeded.adaDead.payload && dead.first?["reason"]?.string == "rejected")
            #expect(document["subject"]?["email"]?.string == "ada.lovelace@example.com")
            // Export changes nothing.
            #expect(try store.page(.queue, filter: JobFilter(), limit: 0).total == 3)
        }
    }

    /// Retention asks for dead letters that died at least so long ago.
    @Test(arguments: StoreUnderTest.all)
    func olderThanSelectsDeadLettersByWhenTheyDied(kind: StoreUnderTest) async throws {
        try await kind.with { store in
            let seeded = try await seed(store)
            #expect(try store.page(.dead, filter: JobFilter(olderThan: .seconds(3600)), limit: 0).total == 0)
            let expired = try store.page(.dead, filter: JobFilter(olderThan: .zero), limit: 0)
            #expect(expired.items.map(\.id) == [seeded.adaDead.id])
        }
    }

    @Test func theControlProtocolRefusesAMalformedPerson() throws {
        let control = JobControl(store: InMemoryJobStore())
        for target in ["/forget", "/forget?identity=", "/forget?identity=not-a-uuid", "/export?email=nobody"] {
            let method = target.hasPrefix("/forget") ? "POST" : "GET"
            let (status, body) = JobControlRequest.answer(method: method, target: target, control: control)
            #expect(status == 400, "\(target): \(body)")
        }
        #expect(JobControlRequest.answer(method: "GET", target: "/forget?email=a@b.c", control: control).status == 405)
        let encoded = try #require(DataSubject(identity: nil, email: "a+b&c=d@example.com")).query.joined(
            separator: "&")
        let (status, body) = JobControlRequest.answer(method: "GET", target: "/export?" + encoded, control: control)
        #expect(status == 200 && body["subject"]?["email"]?.string == "a+b&c=d@example.com")
    }
}
