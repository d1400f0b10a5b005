import HeraldCore
import HeraldTestSupport
import Testing

/// The API key reaches Mandrill's request body and nothing else: not the job payload, the
/// summary, the outcomes, the logs or config messages.
@Suite(.serialized) struct MandrillSecretTests {
    static let key = MandrillFixture.key

    @Test func theKeyIsOnlyInTheRequestBody() async throws {
        let fixture = try MandrillFixture()
        let harness = fixture.harness(step: MandrillFixture.welcome)
        let action = try #require(harness.actions["mail"])
        #expect(!action.summary.contains(Self.key))
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        #expect(!job.payload.serializedString.contains(Self.key))
        #expect(!job.payload.prettyPrinted().contains(Self.key))

        let logger = Logger(handler: fixture.logs, level: .debug)
        var outcomes: [Outcome] = []
        let faults: [MandrillFault] = [
            .respond(.error(400, code: -2, name: "ValidationError", message: "bad key \(Self.key)")),
            .respond(MandrillTestResponse(status: 502, body: Array("proxy saw key=\(Self.key)".utf8))),
            .respond(.json(200, .string("echo \(Self.key)"))),
            .respond(MandrillFault.generalError), .closeConnection,
        ]
        for fault in faults {
            fixture.server.inject(fault)
            outcomes.append(await action.perform(job, context: .testing(logger: logger)))
        }
        outcomes.append(await action.perform(job, context: .testing(logger: logger)))
        #expect(outcomes.last?.label == "delivered")
        for outcome in outcomes {
            #expect(!"\(outcome)".contains(Self.key), "\(outcome)")
        }
        #expect(!fixture.logs.rawText.isEmpty)
        #expect(!fixture.logs.rawText.contains(Self.key))
        // The key did travel, in the body only.
        for request in fixture.server.requests {
            #expect(request.json?["key"] == .string(Self.key))
            #expect(!request.headers.contains { $0.value.contains(Self.key) })
            #expect(!request.path.contains(Self.key))
        }
    }

    @Test func aWrongKeyIsNotEchoed() async throws {
        let fixture = try MandrillFixture()
        let wrong = "md-wrong-key-0987654321"
        let outcome = try await fixture.perform(key: wrong)
        #expect(outcome.label == "failed")
        #expect(!"\(outcome)".contains(wrong))
        #expect(!fixture.logs.rawText.contains(wrong))
    }
}
