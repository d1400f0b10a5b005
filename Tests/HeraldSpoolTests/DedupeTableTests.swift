import HeraldTestSupport
import Testing

@testable import HeraldSpool

/// The dedupe keys in shards with their expiry order in chunks (b8f403a), against the one
/// dictionary and one array they replaced.
@Suite struct DedupeTableTests {
    /// The table as it was: one dictionary, one array of the order trimmed from the front.
    private struct OneDictionary {
        var slots: [UInt128: DedupeTable.Slot] = [:]
        var order: [(digest: UInt128, expiresAt: Int64)] = []
        var head = 0
        let capacity: Int
        var evicted = 0

        mutating func insert(_ digest: UInt128, expiresAt: Int64, segment: UInt32, now: Int64) -> (Bool, UInt32?) {
            guard expiresAt > now else { return (false, nil) }
            let previous = slots[digest]
            if let previous, previous.expiresAt > expiresAt { return (false, nil) }
            slots[digest] = DedupeTable.Slot(expiresAt: expiresAt, segment: segment)
            order.append((digest, expiresAt))
            return (true, previous?.segment)
        }

        mutating func relocate(_ digest: UInt128, expiresAt: Int64, to segment: UInt32) -> UInt32? {
            guard let slot = slots[digest], slot.expiresAt == expiresAt else { return nil }
            slots[digest]?.segment = segment
            return slot.segment
        }

        mutating func sweep(now: Int64) -> [UInt32] {
            var released: [UInt32] = []
            while head < order.count {
                let (digest, expiresAt) = order[head]
                guard expiresAt <= now || slots.count > capacity else { break }
                head += 1
                guard let slot = slots[digest], slot.expiresAt == expiresAt else { continue }
                if expiresAt > now { evicted += 1 }
                slots[digest] = nil
                released.append(slot.segment)
            }
            if head > 1024 && head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
            return released
        }
    }

    /// Random inserts (repeated keys, earlier and later expiries), relocations and sweeps with a
    /// fixed seed, past a capacity and across many chunks of the order: every answer the same.
    @Test func answersAsOneDictionaryDid() {
        var table = DedupeTable(capacity: 500)
        var model = OneDictionary(capacity: 500)
        var random = SeededGenerator(seed: 0x4445_4455_5045)
        func next() -> UInt64 { random.next() }
        // Digests from a small set, so that keys repeat; both halves vary, as real digests do.
        let digests = (0..<5_000).map { _ in UInt128(next()) << 64 | UInt128(next()) }
        var now: Int64 = 0
        for round in 0..<60_000 {
            now += Int64(next() % 3)
            let digest = digests[Int(next() % UInt64(digests.count))]
            switch next() % 10 {
            case 0..<6:
                let expiresAt = now + Int64(next() % 2_000) - 100
                let segment = UInt32(next() % 50)
                let got = table.insert(digest, expiresAt: expiresAt, segment: segment, now: now)
                let expected = model.insert(digest, expiresAt: expiresAt, segment: segment, now: now)
                #expect(got.inserted == expected.0 && got.replaced?.segment == expected.1, "round \(round)")
            case 6:
                let expiresAt = model.slots[digest]?.expiresAt ?? now
                let segment = UInt32(next() % 50)
                #expect(
                    table.relocate(digest, expiresAt: expiresAt, to: segment)?.segment
                        == model.relocate(digest, expiresAt: expiresAt, to: segment), "round \(round)")
            case 7, 8:
                #expect(table.sweep(now: now) == model.sweep(now: now), "round \(round)")
            default:
                #expect(table.contains(digest, now: now) == (model.slots[digest].map { $0.expiresAt > now } ?? false))
            }
            #expect(table.count == model.slots.count, "round \(round)")
        }
        #expect(table.evicted == model.evicted && model.evicted > 0)
        var held: [UInt128: UInt32] = [:]
        table.forEach { digest, slot in held[digest] = slot.segment }
        #expect(held == model.slots.mapValues(\.segment))
    }
}
