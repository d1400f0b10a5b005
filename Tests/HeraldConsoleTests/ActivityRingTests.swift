import HeraldCore
import Synchronization
import Testing

@testable import HeraldConsole

@Suite struct ActivityRingTests {
    @Test func countsEachMinuteFromTheSampledTotals() {
        let totals = Mutex(ActivityRing.Totals(events: 10, delivered: 5, failed: 1))
        let ring = ActivityRing { totals.withLock { $0 } }
        let start = WallClock(millisecondsSinceEpoch: 1_000 * 60_000 + 1_000)
        ring.sample(now: start)
        totals.withLock { $0 = ActivityRing.Totals(events: 13, delivered: 7, failed: 1) }
        let later = start.adding(.seconds(60))
        ring.sample(now: later)
        totals.withLock { $0 = ActivityRing.Totals(events: 14, delivered: 7, failed: 3) }
        let hour = ring.lastHour(now: later.adding(.seconds(5)))
        #expect(hour.count == ActivityRing.minutes)
        #expect(hour[hour.count - 2] == ActivityRing.Minute(minute: 1_000, events: 3, delivered: 2, failed: 0))
        #expect(hour[hour.count - 1] == ActivityRing.Minute(minute: 1_001, events: 1, delivered: 0, failed: 2))
        #expect(hour.dropLast(2).allSatisfy { $0.events == 0 && $0.delivered == 0 && $0.failed == 0 })
    }
}
