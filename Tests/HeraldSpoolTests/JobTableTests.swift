import HeraldCore
import Testing

@testable import HeraldSpool

/// The local store's open-addressing job table against a plain dictionary.
@Suite struct JobTableTests {
    private func slot(_ id: TimeOrderedID, _ value: Int64) -> JobTable.Slot {
        JobTable.Slot(
            id: id, notBefore: value, createdAt: value, orderingGroup: 0,
            location: RecordLocation(segment: 1, offset: 0, length: 1), attempts: 0, action: 0, state: .queued)
    }

    @Test func insertsFindsAndRemovesLikeADictionary() {
        var table = JobTable()
        var model: [TimeOrderedID: Int64] = [:]
        var generator = SystemRandomNumberGenerator()
        // Ids close together, as one process makes them, so that probe runs form and wrap.
        let ids = (0..<5_000).map { TimeOrderedID(high: 0x0190_0000_0000_7000 + UInt64($0 / 7), low: UInt64($0 % 7)) }
        for round in 0..<20_000 {
            let id = ids[Int.random(in: 0..<ids.count, using: &generator)]
            if model[id] == nil {
                _ = table.insert(slot(id, Int64(round)))
                model[id] = Int64(round)
            } else if Bool.random(using: &generator) {
                #expect(table.remove(id)?.notBefore == model.removeValue(forKey: id))
            }
            if round % 1000 == 0 {
                for id in ids {
                    #expect(table.find(id).map { table[$0].notBefore } == model[id])
                }
            }
        }
        #expect(table.count == model.count)
        #expect(Set(table.numbers.map { table[$0].id }) == Set(model.keys))
    }

    @Test func aSlotIs64Bytes() {
        #expect(MemoryLayout<JobTable.Slot>.stride == 64)
    }
}
