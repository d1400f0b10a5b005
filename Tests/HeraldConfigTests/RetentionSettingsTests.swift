import HeraldConfig
import HeraldCore
import HeraldTestSupport
import Testing

/// `retention:` (issue 21): defaults, limits and errors at their positions.
@Suite struct RetentionSettingsTests {
    private func load(_ yaml: String) throws -> ConfigLoadResult {
        try loadConfiguration(yaml + "\ningress: { insecure_no_auth: true }\n" + recordingRoute)
    }

    @Test func defaultsKeepDeadLettersThirtyDaysAndOutboxFilesSeven() throws {
        let configuration = try #require(try load("").configuration)
        #expect(configuration.retention.deadLetters == .seconds(30 * 86_400))
        #expect(configuration.retention.outbox == .seconds(7 * 86_400))
        #expect(configuration.retention.sweepInterval == .seconds(3600))
    }

    @Test func periodsAreReadAndTheSweepFollowsTheShorter() throws {
        let result = try load("retention: { dead_letters: 14d, outbox: 20s }")
        let configuration = try #require(result.configuration)
        #expect(configuration.retention.deadLetters == .seconds(14 * 86_400))
        #expect(configuration.retention.outbox == .seconds(20))
        #expect(configuration.retention.sweepInterval == .seconds(2))
        #expect(result.warnings.isEmpty)
    }

    @Test func badValuesAreErrorsAtTheirPositions() throws {
        let result = try load(
            """
            retention:
              dead_letters: 0s
              outbox: soon
              logs: 1d
            """)
        #expect(result.configuration == nil)
        let found = result.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(found.contains("2:17 'dead_letters' must be at least 1s, found 0s"), "\(found)")
        #expect(found.contains { $0.hasPrefix("3:11 'outbox' must be a duration") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("4:3 ") && $0.contains("logs") }, "\(found)")
    }

    @Test func aDeadLetterPeriodUnderAnHourIsAWarning() throws {
        let result = try load("retention: { dead_letters: 10m }")
        #expect(result.configuration != nil)
        #expect(result.warnings.contains { $0.message.hasPrefix("dead letters are removed after 10m") })
    }
}
