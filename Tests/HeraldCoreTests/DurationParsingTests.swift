import HeraldCore
import Testing

@Suite struct DurationParsingTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("30s", .seconds(30)), ("2m", .seconds(120)),
        ("1h30m", .seconds(5400)), ("2d", .seconds(172_800)), ("48h", .seconds(172_800)),
    ])
    func parsesUnits(text: String, expected: Duration) {
        #expect(parseDuration(text) == expected)
    }

    @Test(arguments: ["", "5", "s", "-5s", "5 s", "5w", "1.5h", "99999999999s"])
    func rejectsMalformed(text: String) {
        #expect(parseDuration(text) == nil)
    }

    @Test func compactDescriptionRoundTrips() {
        for text in ["1h30m", "45s", "250ms", "2d", "1d2h3m4s5ms"] {
            #expect(parseDuration(text)?.compactDescription == text)
        }
    }
}

/// Fuzzing finding: a `delay:` of many `999999999d` parts passed `check`, then trapped when a
/// route planned a job and when it was described.
@Suite struct DurationBoundsTests {
    @Test func aDurationPastTheLimitIsTooLongNotATrap() {
        let huge = String(repeating: "999999999d", count: 12)
        #expect(parseConfiguredDuration(huge) == .tooLong)
        #expect(parseConfiguredDuration("3651d") == .tooLong)
        #expect(parseConfiguredDuration("3650d") == .duration(.seconds(3650 * 86_400)))
        #expect(parseConfiguredDuration("9999999999s") == .malformed)
        #expect(parseDuration(huge) == nil)
    }

    @Test func clockArithmeticSaturates() {
        let clock = WallClock(millisecondsSinceEpoch: 1_780_000_000_000)
        #expect(clock.adding(.seconds(Int64.max)).millisecondsSinceEpoch == .max)
        #expect(WallClock(millisecondsSinceEpoch: -1).adding(.seconds(Int64.min)).millisecondsSinceEpoch == .min)
        #expect(WallClock(millisecondsSinceEpoch: .max) - WallClock(millisecondsSinceEpoch: .min) > .zero)
        #expect(WallClock(millisecondsSinceEpoch: .min) - WallClock(millisecondsSinceEpoch: .max) < .zero)
        #expect(WallClock(millisecondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59.999Z")
        _ = WallClock(millisecondsSinceEpoch: .max).rfc3339
        _ = WallClock(millisecondsSinceEpoch: .min).rfc3339
    }

    @Test func describingAnyDurationSaturates() {
        #expect(Duration.seconds(Int64.max).compactDescription.hasSuffix("ms"))
        #expect(Duration.seconds(-90).compactDescription == "-1m30s")
        #expect(Duration.seconds(Int64.max).saturatingMilliseconds == .max)
        #expect(Duration.seconds(-1).saturatingNanoseconds == 0)
        #expect(Duration.seconds(Int64.max).saturatingNanoseconds == .max)
        #expect(Duration.milliseconds(1500).saturatingNanoseconds == 1_500_000_000)
    }
}
