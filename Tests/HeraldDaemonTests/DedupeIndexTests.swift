import HeraldCore
import Synchronization
import Testing

@testable import HeraldDaemon

@Suite struct DedupeIndexTests {
    private let now = WallClock(millisecondsSinceEpoch: 1_000_000)

    /// Stands in for the spool: keys committed with their expiry.
    final class Store: Sendable {
        let keys = Mutex<[String: WallClock]>([:])
        func store(_ key: String, until expiry: WallClock) { keys.withLock { $0[key] = expiry } }
        func isStored(_ key: String, _ now: WallClock) -> Bool { keys.withLock { ($0[key].map { $0 > now }) ?? false } }
    }

    @Test func claimCommitAndExpire() {
        let store = Store()
        let index = DedupeIndex(isStored: store.isStored)
        #expect(index.claim("a", now: now) == .claimed)
        store.store("a", until: now.adding(.seconds(60)))
        index.commit(["a"])
        #expect(index.claim("a", now: now.adding(.seconds(59))) == .duplicate)
        #expect(index.claim("a", now: now.adding(.seconds(61))) == .claimed)
        #expect(index.inFlightCount == 1)
    }

    @Test func aReleasedClaimIsNotADuplicate() {
        let index = DedupeIndex(isStored: Store().isStored)
        #expect(index.claim("a", now: now) == .claimed)
        index.release(["a"])
        #expect(index.claim("a", now: now) == .claimed)
    }

    @Test func waitersLearnHowTheFirstRequestEnded() {
        let index = DedupeIndex(isStored: Store().isStored)
        let outcomes = Mutex<[Bool]>([])
        #expect(index.claim("a", now: now) == .claimed)
        #expect(index.claim("a", now: now) { stored in outcomes.withLock { $0.append(stored) } } == .pending)
        index.commit(["a"])
        #expect(outcomes.withLock { $0 } == [true])
        #expect(index.claim("b", now: now) == .claimed)
        #expect(index.claim("b", now: now) { stored in outcomes.withLock { $0.append(stored) } } == .pending)
        index.release(["b"])
        #expect(outcomes.withLock { $0 } == [true, false])
        #expect(index.inFlightCount == 0)
    }
}
