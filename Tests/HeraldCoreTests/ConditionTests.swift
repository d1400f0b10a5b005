import HeraldCore
import Testing

@Suite struct ConditionTests {
    private func compile(_ yaml: String, events: [String] = ["registration.after"]) throws -> (
        Condition?, [ConfigDiagnostic]
    ) {
        let diagnostics = ConfigDiagnostics()
        let condition = Condition.compile(
            try Fixtures.node(yaml), events: events.compactMap(EventName.init), diagnostics: diagnostics)
        return (condition, diagnostics.items)
    }

    private func holds(_ yaml: String, file: String = "registration-after.json", event: String = "registration.after")
        throws -> Bool
    {
        let (condition, problems) = try compile(yaml, events: [event])
        #expect(problems.isEmpty, "\(problems)")
        return try #require(condition).matches(try Fixtures.event(file, as: event))
    }

    @Test func scalarsMeanTypedEquality() throws {
        #expect(try holds("identity.traits.newsletter: true"))
        #expect(try !holds("identity.traits.newsletter: 'true'"))
        #expect(try holds("identity.traits.email: jane.doe@example.com"))
        #expect(try holds("identity.metadata_public: null"))
        #expect(try holds("identity.traits.missing: null"))
        #expect(try holds("event.method: password"))
        #expect(try !holds("event.method: oidc"))
        #expect(try holds("flow.transient_payload.consents.newsletter: true\nflow.type: browser"))
    }

    @Test func operators() throws {
        #expect(try holds("identity.traits.email: {suffix: '@example.com'}"))
        #expect(try holds("identity.traits.email: {prefix: jane}"))
        #expect(try holds("identity.traits.email: {contains: doe}"))
        #expect(try holds("identity.traits.email: {matches: '^[a-z.]+@example\\.com$'}"))
        #expect(try holds("event.method: {in: [oidc, password]}"))
        #expect(try !holds("event.method: {in: [oidc, code]}"))
        #expect(try holds("identity.traits.phone: {exists: false}"))
        #expect(try holds("identity.traits.email: {exists: true}"))
        #expect(try !holds("identity.metadata_public: {exists: true}"))
        #expect(try holds("request_headers.Sec-Fetch-Mode: {contains: navigate}"))
        #expect(try holds("identity.verifiable_addresses: {exists: true}"))
    }

    @Test func numbersCompare() throws {
        let file = "courier-http-verification_code_valid.json"
        let event = "courier.verification_code_valid"
        #expect(try holds("template_data.expires_in_minutes: {gte: 60, lt: 61}", file: file, event: event))
        #expect(try !holds("template_data.expires_in_minutes: {gt: 60}", file: file, event: event))
        #expect(try holds("template_data.expires_in_minutes: 60", file: file, event: event))
    }

    @Test func combinators() throws {
        #expect(try holds("any: [{event.method: oidc}, {event.method: password}]"))
        #expect(try holds("not: {event.method: oidc}"))
        #expect(try !holds("all: [{event.method: password}, {identity.traits.newsletter: false}]"))
        #expect(try holds("any:\n  - identity.traits.newsletter: false\n  - not: {identity.traits.newsletter: false}"))
    }

    @Test func explainsTheFailingTestAndTheValueSeen() throws {
        let (condition, _) = try compile("event.method: password\nidentity.traits.newsletter: false")
        let registration = try Fixtures.event("registration-after.json", as: "registration.after")
        let compiled = try #require(condition)
        let failures = try #require(compiled.explain(registration))
        #expect(failures.count == 1)
        #expect(failures[0].condition == "identity.traits.newsletter equals false")
        #expect(failures[0].seen == "true")
        #expect(failures[0].location == SourceLocation(file: "t.yaml", line: 2, column: 1))
        let (missing, _) = try compile("identity.traits.plan: {in: [pro, team]}")
        let compiledMissing = try #require(missing)
        let failure = try #require(compiledMissing.explain(registration)?.first)
        #expect(failure.condition == "identity.traits.plan in ['pro', 'team']")
        #expect(failure.seen == "<missing>")
        #expect(failure.location == SourceLocation(file: "t.yaml", line: 1, column: 24))
    }

    @Test func compileErrorsAreAllReportedWithPositions() throws {
        let yaml = """
            identity.traits.email: {suffx: '@x.example'}
            event.method: [a, b]
            identity.traits.age: {gt: old}
            identity.traits.name: {matches: '(unclosed'}
            session.id: abc
            any: {event.method: x}
            """
        let (condition, problems) = try compile(yaml, events: ["registration.after"])
        #expect(condition == nil)
        let summary = problems.map { "\($0.location.line):\($0.location.column) \($0.message.prefix(24))" }
        #expect(
            summary == [
                "1:25 unknown operator 'suffx'",
                "2:15 a list is not a value to",
                "3:27 'gt' takes a number, fou",
                "4:33 bad regular expression '",
                "5:1 'session.id' can never e",
                "6:6 'any' takes a list of co",
            ])
    }

    /// Fuzzing finding: `when: {any: []}` never matched, yet `explain` said it held. Empty
    /// combinators are refused at load, with their position.
    @Test func emptyCombinatorsAreRefused() throws {
        let (condition, problems) = try compile("any: []\nall: []\nnot: {}")
        #expect(condition == nil)
        #expect(
            problems.map { "\($0.location.line):\($0.location.column) \($0.message)" } == [
                "1:6 'any' needs at least one condition; an empty list would never hold",
                "2:6 'all' needs at least one condition; an empty list would always hold",
                "3:6 'not' needs a condition; 'not' of nothing would never hold",
            ])
    }

    /// Whether `explain` finds failures is decided by `matches`, for every shape of condition.
    @Test func explainAgreesWithMatching() throws {
        let event = try Fixtures.event("registration-after.json", as: "registration.after")
        for yaml in [
            "identity.traits.newsletter: true", "identity.traits.newsletter: false",
            "any: [{event.method: oidc}, {event.method: password}]", "any: [{event.method: oidc}]",
            "not: {event.method: password}", "not: {any: [{event.method: oidc}]}",
            "all: [{event.method: password}, {not: {identity.traits.newsletter: false}}]",
        ] {
            let (condition, problems) = try compile(yaml)
            #expect(problems.isEmpty)
            let compiled = try #require(condition)
            #expect((compiled.explain(event) == nil) == compiled.matches(event), "\(yaml)")
        }
    }
}

@Suite struct RuleSetTests {
    struct NoStep: ActionStep {
        let action = "none"
        func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
            PlannedJob(payload: .null, orderingKey: nil)
        }
    }

    private func route(_ name: String, _ events: [String], when: String? = nil, stop: Bool = false) throws -> Route {
        var condition = Condition.always
        if let when {
            condition = try #require(
                Condition.compile(try Fixtures.node(when), events: EventName.known, diagnostics: ConfigDiagnostics()))
        }
        return Route(
            name: name, events: events.compactMap(EventPattern.init), condition: condition, steps: [NoStep()],
            stop: stop,
            location: .builtin(name))
    }

    @Test func fansOutInFileOrderUntilStop() throws {
        let rules = RuleSet(routes: [
            try route("all-after", ["*.after"]),
            try route("oidc-only", ["registration.after"], when: "event.method: oidc"),
            try route("welcome", ["registration.after"], stop: true),
            try route("never", ["registration.after"]),
            try route("courier", ["courier.*"]),
        ])
        let event = try Fixtures.event("registration-after.json", as: "registration.after")
        #expect(rules.match(event).map(\.name) == ["all-after", "welcome"])
        let plan = rules.plan(event, ids: TimeOrderedIDGenerator())
        #expect(plan.routes == ["all-after", "welcome"])
        #expect(plan.jobs.count == 2)
        #expect(plan.jobs.allSatisfy { $0.eventID == event.id && $0.notBefore == event.receivedAt })
        let courier = try Fixtures.event(
            "courier-http-verification_code_valid.json", as: "courier.verification_code_valid")
        #expect(rules.match(courier).map(\.name) == ["courier"])
        #expect(rules.routes(listeningTo: try #require(EventName("login.before"))).isEmpty)
    }

    /// The one ingress decision the daemon and `herald explain` share (issue 10).
    @Test func theIngressDecision() throws {
        let message = try #require(
            TemplateCompiler(events: EventName.known, diagnostics: ConfigDiagnostics()).compile(
                try Fixtures.node("no"), key: "message", sink: .header))
        let deny = Route(
            name: "deny", events: ["registration.before", "registration.after"].compactMap(EventPattern.init),
            condition: .always, steps: [], stop: false,
            denial: Denial(message: message, field: "#/", id: 1, status: 400), location: .builtin("deny"))
        let rules = RuleSet(routes: [deny, try route("jobs", ["registration.*"])])
        let before = try Fixtures.event("registration-before.json", as: "registration.before")
        let after = try Fixtures.event("registration-after.json", as: "registration.after")
        let login = try Fixtures.event("login-after.json", as: "login.after")
        func kind(_ decision: IngressDecision) -> String {
            switch decision {
            case .deny(let messages): "deny \(messages.map(\.route))"
            case .allow: "allow"
            case .plan: "plan"
            }
        }
        #expect(kind(IngressDecision.decide(before, rules: rules, decideOnly: false)) == "deny [\"deny\"]")
        #expect(kind(IngressDecision.decide(after, rules: rules, decideOnly: true)) == "deny [\"deny\"]")
        #expect(kind(IngressDecision.decide(after, rules: rules, decideOnly: false)) == "plan")
        #expect(kind(IngressDecision.decide(login, rules: RuleSet(routes: []), decideOnly: true)) == "plan")
        #expect(kind(IngressDecision.decide(after, rules: RuleSet(routes: []), decideOnly: true)) == "allow")
    }
}
