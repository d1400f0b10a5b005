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

    /// The slots by number, in chunks of `chunkLength`: a new chunk when the last is full, never
    /// a copy of the others (one array doubled at a million slots: 35–39 ms on the spool's
    /// writer thread, under the lock every acknowledgement and claim takes).
    private var chunks: [[Slot]] = []
    private static let chunkShift = 12
    private static let chunkLength = 1 << chunkShift
    /// How many slot numbers have been handed out (the next new number).
    private var slotCount = 0
    /// Slot numbers of removed jobs, for reuse.
    private var free: [UInt32] = []
    /// The buckets in shards by the top bits of the id's hash, each growing on its own (one table
    /// took 30 ms to double at a million jobs). Per bucket: the low 32 bits of the id's hash
    /// above, slot number + 1 below; 0 is an empty bucket. Linear probing; an entry's home bucket
    /// is its stored hash & its shard's mask.
    private var shards = [[UInt64]](repeating: [UInt64](repeating: 0, count: 16), count: shardCount)
    private var shardCounts = [Int](repeating: 0, count: shardCount)
    private static let shardBits = 6
    private static let shardCount = 1 << shardBits
    private(set) var count = 0

    private static let vacant = TimeOrderedID(high: 0, low: 0)

    subscript(number: UInt32) -> Slot {
        get { chunks[Int(number) >> Self.chunkShift][Int(number) & (Self.chunkLength - 1)] }
        set { chunks[Int(number) >> Self.chunkShift][Int(number) & (Self.chunkLength - 1)] = newValue }
    }

    private static func shard(of hash: UInt32) -> Int {
        Int(hash >> UInt32(32 - shardBits))
    }

    /// The slot number of `id`.
    func find(_ id: TimeOrderedID) -> UInt32? {
        let hash = JobTable.hash(of: id)
        let shard = Self.shard(of: hash)
        let mask = shards[shard].count - 1
        var bucket = Int(hash) & mask
        while true {
            let stored = shards[shard][bucket]
            if stored == 0 { return nil }
            if UInt32(truncatingIfNeeded: stored >> 32) == hash {
                let number = UInt32(truncatingIfNeeded: stored) - 1
                if self[number].id == id { return number }
            }
            bucket = (bucket + 1) & mask
        }
    }

    /// Adds a job that is not in the table; returns its slot number.
    mutating func insert(_ slot: Slot) -> UInt32 {
        let number: UInt32
        if let reused = free.popLast() {
            number = reused
            self[number] = slot
        } else {
            number = UInt32(slotCount)
            if slotCount & (Self.chunkLength - 1) == 0 {
                var chunk: [Slot] = []
                chunk.reserveCapacity(Self.chunkLength)
                chunks.append(chunk)
            }
            chunks[chunks.count - 1].append(slot)
            slotCount += 1
        }
        let hash = JobTable.hash(of: slot.id)
        let shard = Self.shard(of: hash)
        if (shardCounts[shard] + 1) * 2 > shards[shard].count { Self.grow(&shards[shard]) }
        Self.place(UInt64(hash) << 32 | UInt64(number + 1), in: &shards[shard])
        shardCounts[shard] += 1
        count += 1
        return number
    }

    /// Removes `id`; returns what it held.
    @discardableResult
    mutating func remove(_ id: TimeOrderedID) -> Slot? {
        let hash = JobTable.hash(of: id)
        let shard = Self.shard(of: hash)
        let mask = shards[shard].count - 1
        var bucket = Int(hash) & mask
        while true {
            let stored = shards[shard][bucket]
            if stored == 0 { return nil }
            if UInt32(truncatingIfNeeded: stored >> 32) == hash, self[UInt32(truncatingIfNeeded: stored) - 1].id == id {
                break
            }
            bucket = (bucket + 1) & mask
        }
        let number = UInt32(truncatingIfNeeded: shards[shard][bucket]) - 1
        let removed = self[number]
        Self.empty(bucket, in: &shards[shard])
        self[number].id = JobTable.vacant
        self[number].state = .done
        free.append(number)
        shardCounts[shard] -= 1
        count -= 1
        return removed
    }

    /// Every slot number in use, in no particular order.
    var numbers: [UInt32] {
        var numbers: [UInt32] = []
        numbers.reserveCapacity(count)
        forEachSlot { number, slot in
            if slot.id != JobTable.vacant { numbers.append(number) }
        }
        return numbers
    }

    /// Calls `body` with every slot and its number, removed ones (a vacant id) included.
    func forEachSlot(_ body: (UInt32, Slot) -> Void) {
        var number: UInt32 = 0
        for chunk in chunks {
            for slot in chunk {
                body(number, slot)
                number += 1
            }
        }
    }

    private static func place(_ entry: UInt64, in buckets: inout [UInt64]) {
        let mask = buckets.count - 1
        var bucket = Int(entry >> 32) & mask
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = entry
    }

    /// Empties `bucket` by backward-shift deletion: later entries of the probe run move up into
    /// the hole, so that lookups never need tombstones.
    private static func empty(_ bucket: Int, in buckets: inout [UInt64]) {
        let mask = buckets.count - 1
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
    }

    /// Doubles a shard's buckets, placing each entry by its stored hash (no slot is read).
    private static func grow(_ buckets: inout [UInt64]) {
        let old = buckets
        buckets = Array(repeating: 0, count: old.count * 2)
        for entry in old where entry != 0 { place(entry, in: &buckets) }
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
