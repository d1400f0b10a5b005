/// Dedupe keys seen recently, as 128-bit digests with their expiry: answers "seen within the
/// window?" from memory, in bounded space.
///
/// Keys leave when they expire or, past `capacity`, oldest first. Evicting a key that has not
/// expired can only let a duplicate through (at-least-once allows that); it never drops an event.
struct DedupeTable {
    struct Slot {
        var expiresAt: Int64
        /// The segment holding the key's latest record (compaction copies live keys forward).
        var segment: UInt32
    }

    /// The size of a "dedupe key" frame: header, version, digest, expiry.
    static let frameLength = UInt32(RecordEncoder.headerSize + 1 + 16 + 8)

    /// The keys, spread over shards by their digest's low bits: a shard that grows rehashes only
    /// its own keys. One dictionary of them stopped the spool's writer for 0.3–0.6 s when it
    /// doubled at 786,432 keys (on the way to the default capacity of a million), and every
    /// acknowledgement and claim with it.
    private var shards = [[UInt128: Slot]](repeating: [:], count: Self.shardCount)
    static let shardCount = 256
    /// How many keys the table holds.
    private(set) var count = 0
    /// Keys in the order they were recorded, for expiry and eviction; entries whose slot has
    /// changed since are skipped.
    private var order = ChunkedQueue<(digest: UInt128, expiresAt: Int64)>()
    let capacity: Int
    /// Keys dropped before they expired, because the table was full.
    private(set) var evicted = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    private static func shard(of digest: UInt128) -> Int {
        Int(truncatingIfNeeded: digest) & (shardCount - 1)
    }

    /// The slot of `digest`, if the table holds it.
    subscript(digest: UInt128) -> Slot? {
        shards[Self.shard(of: digest)][digest]
    }

    /// Calls `body` with every key and its slot, in no particular order.
    func forEach(_ body: (UInt128, Slot) -> Void) {
        for shard in shards {
            for (digest, slot) in shard { body(digest, slot) }
        }
    }

    func contains(_ digest: UInt128, now: Int64) -> Bool {
        guard let slot = self[digest] else { return false }
        return slot.expiresAt > now
    }

    /// Records a key; returns the slot it replaced, if any (so that its segment lets go of it).
    /// A key that expired already is ignored; so is an older expiry than the one known.
    mutating func insert(_ digest: UInt128, expiresAt: Int64, segment: UInt32, now: Int64) -> (
        inserted: Bool, replaced: Slot?
    ) {
        guard expiresAt > now else { return (false, nil) }
        let shard = Self.shard(of: digest)
        let previous = shards[shard][digest]
        if let previous, previous.expiresAt > expiresAt { return (false, nil) }
        shards[shard][digest] = Slot(expiresAt: expiresAt, segment: segment)
        if previous == nil { count += 1 }
        order.append((digest, expiresAt))
        return (true, previous)
    }

    /// Moves a key's record to `segment` (after compaction copied it) if it is unchanged.
    mutating func relocate(_ digest: UInt128, expiresAt: Int64, to segment: UInt32) -> Slot? {
        let shard = Self.shard(of: digest)
        guard let slot = shards[shard][digest], slot.expiresAt == expiresAt else { return nil }
        shards[shard][digest]?.segment = segment
        return slot
    }

    /// Removes expired keys, and the oldest keys beyond `capacity`; returns the segments of the
    /// keys removed.
    mutating func sweep(now: Int64) -> [UInt32] {
        var released: [UInt32] = []
        while let (digest, expiresAt) = order.first {
            let full = count > capacity
            guard expiresAt <= now || full else { break }
            order.removeFirst()
            let shard = Self.shard(of: digest)
            guard let slot = shards[shard][digest], slot.expiresAt == expiresAt else { continue }
            if expiresAt > now { evicted += 1 }
            shards[shard][digest] = nil
            count -= 1
            released.append(slot.segment)
        }
        return released
    }
}
