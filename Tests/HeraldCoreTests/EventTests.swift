import HeraldCore
import Testing

@Suite struct EventTests {
    /// Every reference payload decodes and gets the derived fields design §4 promises.
    @Test(
        arguments: [
            // Kratos' password strategy leaves flow.active empty and registration hooks get no
            // session: only the hook's own list can say "password".
            ("registration-after.json", "registration.after", nil, "en-US", "jane.doe@example.com"),
            ("registration-after-prepersist.json", "registration.after", nil, "en-US", "jane.doe@example.com"),
            ("registration-before.json", "registration.before", nil, "en-US", nil),
            ("login-before.json", "login.before", nil, "en-US", nil),
            ("login-after.json", "login.after", "password", "en-US", "jane.doe@example.com"),
            ("verification-before.json", "verification.before", "code", "en-US", nil),
            ("verification-after.json", "verification.after", "code", "en-US", "jane.doe@example.com"),
            ("recovery-before.json", "recovery.before", "code", "en-US", nil),
            ("recovery-after.json", "recovery.after", "code", "en-US", "jane.doe@example.com"),
            ("settings-before.json", "settings.before", nil, "en-US", "jane.doe@example.com"),
            // A settings flow's active is set only by an oidc link; its session says how the user
            // signed in, not what they change, so without the hook's list there is no method.
            ("settings-after.json", "settings.after", nil, "en-US", "jane.doe@example.com"),
            (
                "courier-http-verification_code_valid.json", "courier.verification_code_valid", nil, "en-US",
                "jane.doe@example.com"
            ),
        ] as [(String, String, String?, String?, String?)])
    func derivesFieldsFromEveryPayload(file: String, name: String, method: String?, locale: String?, recipient: String?)
        throws
    {
        let event = try Fixtures.event(file, as: name, hookMethod: .some(nil))
        #expect(event.method == method)
        #expect(event.locale == locale)
        #expect(event.recipient == recipient)
        #expect(event.derived(.flow) == name.split(separator: ".").first.map(String.init))
        #expect(event.derived(.name) == name)
    }

    @Test func derivedFieldsAreAddressedLikePaths() throws {
        let event = try Fixtures.event("login-after.json", as: "login.after", triggerID: "9b0c-trigger")
        #expect(event.value(at: try PayloadPath(parsing: "event.method"))?.text == "password")
        #expect(event.value(at: try PayloadPath(parsing: "event.phase"))?.text == "after")
        #expect(event.value(at: try PayloadPath(parsing: "event.trigger_id"))?.text == "9b0c-trigger")
        #expect(event.value(at: try PayloadPath(parsing: "recipient"))?.text == "jane.doe@example.com")
        #expect(event.value(at: try PayloadPath(parsing: "event.received_at"))?.text == "2026-05-28T20:26:40.000Z")
    }

    @Test func lenientAboutWhatOryVaries() throws {
        let event = try Fixtures.event(
            json:
                #"{"identity": {"traits": {"email": "a@b.example", "locale": "de"}, "verifiable_addresses": null}, "flow": null}"#,
            as: "registration.after")
        #expect(event.recipient == "a@b.example")
        #expect(event.locale == "de")
        #expect(event.method == nil)
        let empty = try Fixtures.event(json: "{}", as: "login.before")
        #expect(empty.recipient == nil && empty.locale == nil && empty.method == nil)
    }

    @Test func skipsNonEmailAddressesForTheRecipient() throws {
        let event = try Fixtures.event(
            json:
                #"{"identity": {"verifiable_addresses": [{"via": "sms", "value": "+4912345"}, {"via": "email", "value": "x@y.example"}]}}"#,
            as: "registration.after")
        #expect(event.recipient == "x@y.example")
    }

    @Test func acceptLanguageGivesTheFirstTag() throws {
        let event = try Fixtures.event(
            json: #"{"request_headers": {"Accept-Language": ["fr-CH, fr;q=0.9"]}}"#, as: "login.before")
        #expect(event.locale == "fr-CH")
    }

    /// A step that forwards the event whole stores and sends it without the user's cookies (the
    /// session cookie is a credential); everything else is kept byte for byte.
    @Test func theForwardedPayloadHasNoCookies() throws {
        let event = try Fixtures.event("registration-after.json", as: "registration.after")
        let forwarded = try JSON(parsing: event.forwardedPayload)
        var expected = event.payload.json.object ?? [:]
        #expect(expected["request_cookies"] != nil)
        expected["request_cookies"] = nil
        #expect(forwarded == .object(expected))
        #expect(!event.forwardedPayload.contains("csrf_token_"))

        let old = try Fixtures.event(
            json: #"{"identity":{"id":"x"},"request_headers":{"cookie":["ory_kratos_session=s"],"User-Agent":["u"]}}"#,
            as: "registration.after")
        #expect(old.forwardedPayload == #"{"identity":{"id":"x"},"request_headers":{"User-Agent":["u"]}}"#)
        let array = try Fixtures.event(json: "[1]", as: "registration.after")
        #expect(array.forwardedPayload == "[1]")
    }
}

@Suite struct EventNameTests {
    @Test func parsesAndSplits() throws {
        let name = try #require(EventName("courier.verification_code_valid"))
        #expect(name.flow == "courier")
        #expect(name.phase == "verification_code_valid")
        #expect(name.isCourier && name.isKnown && !name.isFlowEvent)
        #expect(EventName("registration.after")?.isFlowEvent == true)
        for bad in ["registration", "Registration.after", "a.b.c", ".after", "login.", "lo gin.after"] {
            #expect(EventName(bad) == nil, "\(bad)")
        }
    }

    @Test func patternsMatchPerSegment() throws {
        let afterAll = try #require(EventPattern("*.after"))
        #expect(afterAll.knownMatches.count == 5)
        let courier = try #require(EventPattern("courier.*"))
        #expect(courier.matches(try #require(EventName("courier.login_code_valid"))))
        #expect(!courier.matches(try #require(EventName("login.after"))))
        #expect(EventPattern("registration.aftr")?.knownMatches.isEmpty == true)
        #expect(EventPattern("registration") == nil)
    }
}

@Suite struct TimeOrderedIDTests {
    @Test func idsAreOrderedAndRoundTrip() throws {
        let generator = TimeOrderedIDGenerator(now: { 1_780_000_000_000 })
        let ids = (0..<5000).map { _ in generator.next() }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        let first = try #require(ids.first)
        #expect(TimeOrderedID(first.description) == first)
        #expect(first.description.count == 36)
        let version = first.description[first.description.index(first.description.startIndex, offsetBy: 14)]
        #expect(version == "7")
        let known = TimeOrderedID(high: 0x0123_4567_89AB_7CDE, low: 0xF0E1_D2C3_B4A5_9687)
        #expect(known.description == "01234567-89ab-7cde-f0e1-d2c3b4a59687")
        #expect(TimeOrderedID("01234567-89AB-7CDE-F0E1-D2C3B4A59687") == known)
    }
}

/// Issue 8: `event.method` for every method, with bodies as Kratos sends them.
@Suite struct EventMethodTests {
    /// The hook's list wins over anything in the body.
    @Test func theHooksMethodComesFirst() throws {
        for (file, name, method) in [
            ("registration-after.json", "registration.after", "webauthn"),
            ("settings-after.json", "settings.after", "password"),
            ("login-after.json", "login.after", "totp"),
        ] {
            #expect(try Fixtures.event(file, as: name, hookMethod: method).method == method)
        }
    }

    /// Without a hook method: `flow.active` (every login strategy sets it), else the session's last
    /// authentication method for login and registration, never for settings.
    @Test func thenFlowActiveThenTheSessionsLastMethod() throws {
        var login = try Fixtures.payload("login-after.json").root.json
        #expect(
            try Fixtures.event(JSONDocument(parsing: login.serialized()).root, as: "login.after").method == "password")
        login = login.settingFlowActive(nil).addingAuthenticationMethods(["password", "totp"])
        #expect(try Fixtures.event(JSONDocument(parsing: login.serialized()).root, as: "login.after").method == "totp")
        let settings = try Fixtures.payload("settings-after.json").root.json.addingAuthenticationMethods(["code"])
        #expect(
            try Fixtures.event(JSONDocument(parsing: settings.serialized()).root, as: "settings.after").method == nil)
    }
}

extension JSON {
    fileprivate func settingFlowActive(_ value: String?) -> JSON {
        guard case .object(var root) = self, case .object(var flow)? = root["flow"] else { return self }
        flow["active"] = value.map(JSON.string)
        root["flow"] = .object(flow)
        return .object(root)
    }

    fileprivate func addingAuthenticationMethods(_ methods: [String]) -> JSON {
        guard case .object(var root) = self else { return self }
        var session = root["session"]?.object ?? [:]
        session["authentication_methods"] = .array(methods.map { ["method": .string($0), "aal": "aal1"] })
        root["session"] = .object(session)
        return .object(root)
    }
}
