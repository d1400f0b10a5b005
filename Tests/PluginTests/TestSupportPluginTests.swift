import HeraldCore
import HeraldTestSupport
import Testing

/// RecordingPlugin, FailingPlugin and RecordingLogHandler behave as their documentation says.
@Suite struct TestSupportPluginTests {
    static let config = """
        actions:
          seen:
            plugin: recording
          broken:
            plugin: failing
            outcome: retry
            reason: upstream down
            retry_after: 30s
        routes:
          - name: r
            events: [registration.after]
            do:
              - action: seen
                to: "{{recipient}}"
                note: "hello {{identity.traits.name.first}}"
          - name: f
            events: [registration.after]
            do:
              - action: broken
        """

    @Test func recordingActionsShareTheBoundRecorder() async throws {
        let recorder = JobRecorder(outcomes: [.retry(after: nil, reason: "busy", ambiguous: false)])
        let harness = RecordingPlugin.$recorder.withValue(recorder) { PluginHarness(Self.config) }
        #expect(harness.messages == [])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job("r", event: event))
        #expect(job.payload == ["to": "jane.doe@example.com", "note": "hello Jane"])
        #expect(job.orderingKey == "jane.doe@example.com")
        let action = try #require(harness.actions["seen"])
        #expect(await action.perform(job, context: .testing(attempt: 1)).label == "retry")
        #expect(await action.perform(job, context: .testing(attempt: 2)) == .delivered(detail: "recorded"))
        #expect(recorder.attempts.map(\.attempt) == [1, 2])
        #expect(recorder.jobs.count == 2)
    }

    @Test func failingActionsAnswerTheirOutcome() async throws {
        let harness = PluginHarness(Self.config)
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job("f", event: event))
        let action = try #require(harness.actions["broken"])
        #expect(
            await action.perform(job, context: .testing())
                == .retry(after: .seconds(30), reason: "upstream down", ambiguous: false))
    }

    @Test func failingPluginCanRejectItsStepsAndBadOutcomes() {
        let harness = PluginHarness(
            """
            actions:
              broken:
                plugin: failing
                reject_steps: true
              odd:
                plugin: failing
                outcome: maybe
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: broken
            """)
        #expect(
            harness.messages == [
                "7:14: 'outcome' must be failed, retry or retry_ambiguous, found maybe",
                "12:9: step 1 of route 'r': the failing plugin rejects every step",
            ])
    }

    @Test func recordingLogHandlerMasksPersonalDataInLines() {
        let logs = RecordingLogHandler()
        let logger = Logger(handler: logs, level: .debug)
        logger.info("sent", ["to": .personal("jane.doe@example.com"), "n": 2])
        logger.debug("detail with spaces")
        #expect(
            logs.lines == ["level=info msg=sent to=j***@example.com n=2", "level=debug msg=\"detail with spaces\""])
        #expect(logs.rawText.contains("jane.doe@example.com"))
        logs.reset()
        #expect(logs.records.isEmpty)
    }
}
