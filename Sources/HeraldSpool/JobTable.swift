import HeraldCore
import HeraldJobs

/// The local store's jobs, one compact slot each (64 bytes), found by id through an
/// open-addressing table of slot numbers with the low half of each id's hash beside them (8 bytes
/// per bucket, at most half full): a lookup compares hashes in the table and touches a slot only
/// for the likely match, so a miss (every job recovery adds) costs one cache miss, not three. A
/// million queued jobs take about 80 MB here; payloads stay on disk.
struct JobTable {
    /// What the store keeps of a queued job or dead letter.
    struct Slot {
        var id: TimeOrderedID
        var notBefore: Int64
        var createdAt: Int64
        /// 0 when the job has no ordering key.
        var orderingGroup: UInt64
        /// Where the job's "job added" record is.
        var location: RecordLocation
        /// Attempts in the current series (saturating; the retry schedule ends long before).
        var attempts: UInt16
        /// Index into `SpoolIndex.actions`.
        var action: UInt16
        var state: JobState
        /// The last attempt may have reached the peer (it ended ambiguously).
        var mayHaveSent = false
    }

    private(set) var slots: [Slot] = []
    /// Slot numbers of removed jobs, for reuse.
    private var free: [UInt32] = []
    /// Per bucket: the low 32 bits of the id's hash above, slot number + 1 below; 0 is an empty
    /// bucket. Linear probing; an entry's home bucket is its stored hash & mask.
    private var buckets: [UInt64] = Array(repeating: 0, count: 16)
    private(set) var count = 0

    private static let vacant = TimeOrderedID(high: 0, low: 0)

    subscript(number: UInt32) -> Slot {
        get { slots[Int(number)] }
        set { slots[Int(number)] = newValue }
    }

    /// The slot number of `id`.
    func find(_ id: TimeOrderedID) -> UInt32? {
        let mask = buckets.count - 1
        let hash = JobTable.hash(of: id)
        var bucket = Int(hash) & mask
        while true {
            let stored = buckets[bucket]
            if stored == 0 { return nil }
            if UInt32(truncatingIfNeeded: stored >> 32) == hash {
                let number = UInt32(truncatingIfNeeded: stored) - 1
                if slots[Int(number)].id == id { return number }
            }
            bucket = (bucket + 1) & mask
        }
    }

    /// Adds a job that is not in the table; returns its slot number.
    mutating func insert(_ slot: Slot) -> UInt32 {
        if (count + 1) * 2 > buckets.count { grow() }
        let number: UInt32
        if let reused = free.popLast() {
            number = reused
            slots[Int(number)] = slot
        } else {
            number = UInt32(slots.count)
            slots.append(slot)
        }
        place(number)
        count += 1
        return number
    }

    /// Removes `id`; returns what it held.
    @discardableResult
    mutating func remove(_ id: TimeOrderedID) -> Slot? {
        let mask = buckets.count - 1
        let hash = JobTable.hash(of: id)
        var bucket = Int(hash) & mask
        while true {
            let stored = buckets[bucket]
            if stored == 0 { return nil }
            if UInt32(truncatingIfNeeded: stored >> 32) == hash,
                slots[Int(UInt32(truncatingIfNeeded: stored) - 1)].id == id
            {
                break
            }
            bucket = (bucket + 1) & mask
        }
        let number = UInt32(truncatingIfNeeded: buckets[bucket]) - 1
        let removed = slots[Int(number)]
        // Backward-shift deletion: later entries of the probe run move up into the hole, so that
        // lookups never need tombstones.
        var hole = bucket
        var next = (hole + 1) & mask
        while buckets[next] != 0 {
            let home = Int(buckets[next] >> 32) & mask
            // The entry may fill the hole unless its home lies cyclically in (hole, next].
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !stays {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole] = 0
        slots[Int(number)].id = JobTable.vacant
        slots[Int(number)].state = .done
        free.append(number)
        count -= 1
        return removed
    }

    /// Every slot number in use, in no particular order.
    var numbers: [UInt32] {
        var numbers: [UInt32] = []
        numbers.reserveCapacity(count)
        for number in slots.indices where slots[number].id != JobTable.vacant { numbers.append(UInt32(number)) }
        return numbers
    }

    private mutating func place(_ number: UInt32) {
        place(UInt64(JobTable.hash(of: slots[Int(number)].id)) << 32 | UInt64(number + 1))
    }

    private mutating func place(_ entry: UInt64) {
        let mask = buckets.count - 1
        var bucket = Int(entry >> 32) & mask
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = entry
    }

    /// Doubles the buckets, placing each entry by its stored hash (no slot is read).
    private mutating func grow() {
        let old = buckets
        buckets = Array(repeating: 0, count: old.count * 2)
        for entry in old where entry != 0 { place(entry) }
    }

    private static func hash(of id: TimeOrderedID) -> UInt32 {
        // Ids made in one millisecond differ in a few bits of `high`; mixing both halves spreads them.
        var hash = id.high &* 0x9E37_79B9_7F4A_7C15 ^ id.low
        hash ^= hash >> 31
        hash &*= 0xBF58_476D_1CE4_E5B9
        hash ^= hash >> 29
        return UInt32(truncatingIfNeeded: hash)
    }
}
