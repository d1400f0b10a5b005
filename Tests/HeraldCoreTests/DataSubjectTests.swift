import HeraldCore
import Testing

/// `DataSubject`: who `herald forget|export` mean, and how stored text is searched for them.
@Suite struct DataSubjectTests {
    private let identity = "9f4254a5-2b7c-4c3e-8f3a-0d1e2f3a4b5c"

    @Test func aPersonNeedsAUUIDOrAnAddress() {
        #expect(DataSubject.problem(identity: nil, email: nil) != nil)
        #expect(DataSubject.problem(identity: "", email: nil) != nil)
        #expect(DataSubject.problem(identity: "9f4254a5", email: nil) != nil)
        #expect(DataSubject.problem(identity: "9f4254a5-2b7c-4c3e-8f3a-0d1e2f3a4b5z", email: nil) != nil)
        #expect(DataSubject.problem(identity: identity.uppercased(), email: nil) == nil)
        for bad in ["", "nobody", "@example.com", "ada@", "ada @example.com", "a\u{7}@b.c"] {
            #expect(DataSubject.problem(identity: nil, email: bad) != nil, "\(bad)")
        }
        #expect(DataSubject(identity: nil, email: "Ada@Example.COM")?.email == "ada@example.com")
        // The problem never quotes what it refuses.
        #expect(DataSubject.problem(identity: nil, email: "secret-person")?.contains("secret") == false)
    }

    @Test func storedTextIsSearchedCaseInsensitivelyAndAsJSON() throws {
        let ada = try #require(DataSubject(identity: nil, email: "ada@example.com"))
        #expect(ada.matches(#"{"to":[{"email":"ADA@example.com"}]}"#))
        #expect(ada.matches("To: Ada <Ada@Example.Com>\r\n"))
        #expect(!ada.matches("To: ada@example.org"))
        #expect(!ada.matches(""))
        let slash = try #require(DataSubject(identity: nil, email: "a/b@example.com"))
        let stored = JSON.object(["to": .string("a/b@example.com")]).serializedString
        #expect(slash.matches(json: ["to": .string("a/b@example.com")]), "\(stored)")
        // A Mailchimp member path names the address by its MD5 only.
        #expect(ada.matches("/lists/l1/members/" + "\(MD5.hexDigest(Array("ada@example.com".utf8)))"))
        let person = try #require(DataSubject(identity: identity.uppercased(), email: nil))
        #expect(person.matches(json: ["metadata": ["herald_identity": .string(identity)]]))
    }

    /// An address with letters beyond ASCII is found however its letters were cased when stored.
    @Test func aNonASCIIAddressIsFoundInAnyCase() throws {
        let jorg = try #require(DataSubject(identity: nil, email: "Jörg.Ölm@Example.com"))
        #expect(jorg.email == "jörg.ölm@example.com")
        #expect(jorg.matches("To: JÖRG.ÖLM@EXAMPLE.COM"))
        #expect(jorg.matches(json: ["to": .string("jörg.Ölm@example.com")]))
        #expect(!jorg.matches("To: jorg.olm@example.com"))
    }

    @Test func theDigestIsStableAndHoldsNoPersonalData() throws {
        let one = try #require(DataSubject(identity: identity, email: "Ada@example.com"))
        let two = try #require(DataSubject(identity: identity.uppercased(), email: "ada@example.com"))
        #expect(one.digest == two.digest && one.digest.count == 32)
        #expect(!one.digest.contains("ada") && one.digest != DataSubject(identity: identity, email: nil)?.digest)
    }
}
