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
