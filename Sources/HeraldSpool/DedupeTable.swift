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

    private(set) var slots: [UInt128: Slot] = [:]
    /// Keys in the order they were recorded, for expiry and eviction; entries whose slot has
    /// changed since are skipped.
    private var order: [(digest: UInt128, expiresAt: Int64)] = []
    private var head = 0
    let capacity: Int
    /// Keys dropped before they expired, because the table was full.
    private(set) var evicted = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { slots.count }

    func contains(_ digest: UInt128, now: Int64) -> Bool {
        guard let slot = slots[digest] else { return false }
        return slot.expiresAt > now
    }

    /// Records a key; returns the slot it replaced, if any (so that its segment lets go of it).
    /// A key that expired already is ignored; so is an older expiry than the one known.
    mutating func insert(_ digest: UInt128, expiresAt: Int64, segment: UInt32, now: Int64) -> (
        inserted: Bool, replaced: Slot?
    ) {
        guard expiresAt > now else { return (false, nil) }
        let previous = slots[digest]
        if let previous, previous.expiresAt > expiresAt { return (false, nil) }
        slots[digest] = Slot(expiresAt: expiresAt, segment: segment)
        order.append((digest, expiresAt))
        return (true, previous)
    }

    /// Moves a key's record to `segment` (after compaction copied it) if it is unchanged.
    mutating func relocate(_ digest: UInt128, expiresAt: Int64, to segment: UInt32) -> Slot? {
        guard let slot = slots[digest], slot.expiresAt == expiresAt else { return nil }
        slots[digest]?.segment = segment
        return slot
    }

    /// Removes expired keys, and the oldest keys beyond `capacity`; returns the segments of the
    /// keys removed.
    mutating func sweep(now: Int64) -> [UInt32] {
        var released: [UInt32] = []
        while head < order.count {
            let (digest, expiresAt) = order[head]
            let full = slots.count > capacity
            guard expiresAt <= now || full else { break }
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
