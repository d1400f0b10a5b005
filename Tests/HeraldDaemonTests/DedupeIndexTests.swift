import HeraldCore
import Synchronization
import Testing

@testable import HeraldDaemon

@Suite struct DedupeIndexTests {
    private let now = WallClock(millisecondsSinceEpoch: 1_000_000)

    @Test func claimCommitAndExpire() {
        let index = DedupeIndex()
        #expect(index.claim("a", window: .seconds(60), now: now) == .claimed)
        index.commit(["a"])
        #expect(index.claim("a", window: .seconds(60), now: now.adding(.seconds(59))) == .duplicate)
        #expect(index.claim("a", window: .seconds(60), now: now.adding(.seconds(61))) == .claimed)
    }

    @Test func aReleasedClaimIsNotADuplicate() {
        let index = DedupeIndex()
        #expect(index.claim("a", window: .seconds(60), now: now) == .claimed)
        index.release(["a"])
        #expect(index.claim("a", window: .seconds(60), now: now) == .claimed)
    }

    @Test func waitersLearnHowTheFirstRequestEnded() {
        let index = DedupeIndex()
        let outcomes = Mutex<[Bool]>([])
        #expect(index.claim("a", window: .seconds(60), now: now) == .claimed)
        #expect(index.claim("a", window: .seconds(60), now: now) { stored in outcomes.withLock { $0.append(stored) } } == .pending)
        index.commit(["a"])
        #expect(outcomes.withLock { $0 } == [true])
        #expect(index.claim("b", window: .seconds(60), now: now) == .claimed)
        #expect(index.claim("b", window: .seconds(60), now: now) { stored in outcomes.withLock { $0.append(stored) } } == .pending)
        index.release(["b"])
        #expect(outcomes.withLock { $0 } == [true, false])
    }

    @Test func capacityBoundsMemory() {
        let index = DedupeIndex(capacity: 100)
        for number in 0..<1000 {
            _ = index.claim("k\(number)", window: .seconds(3600), now: now)
            index.commit(["k\(number)"])
        }
        #expect(index.count <= 100)
        #expect(index.claim("k999", window: .seconds(3600), now: now) == .duplicate)
    }

    @Test func restoredKeysSurviveUntilTheyExpire() {
        let index = DedupeIndex()
        index.restore("a", expires: now.adding(.seconds(10)), now: now)
        index.restore("old", expires: now.adding(.seconds(-1)), now: now)
        #expect(index.claim("a", window: .seconds(60), now: now) == .duplicate)
        #expect(index.claim("old", window: .seconds(60), now: now) == .claimed)
    }
}
