import HeraldCore

/// Where a record is: segment number, offset and length of its frame.
struct RecordLocation: Sendable, Equatable {
    var segment: UInt32
    var offset: UInt32
    var length: UInt32
}

/// What the index keeps per job (48 bytes): what the scheduler needs and where the job's record
/// is. Payloads stay on disk.
struct IndexEntry: Sendable {
    var notBefore: Int64
    var createdAt: Int64
    /// 0 when the job has no ordering key.
    var orderingGroup: UInt64
    var segment: UInt32
    var offset: UInt32
    var length: UInt32
    var attempts: UInt32
    /// Index into `SpoolIndex.actions`.
    var action: UInt32
    var isDead: Bool

    var location: RecordLocation { RecordLocation(segment: segment, offset: offset, length: length) }
}

/// Where a dead letter's "job dead" record is, and when the job died.
struct DeadEntry: Sendable {
    var record: RecordLocation
    var diedAt: Int64
}

/// What a segment still holds that matters: bytes of live records, and how many jobs, dead
/// letters and dedupe keys point into it. A segment with no references can go (in log order).
struct SegmentUsage: Sendable {
    var liveBytes = 0
    var references = 0
}

/// The in-memory state rebuilt from the log: live jobs, dead letters, dedupe keys, and per
/// segment what is still in use. Replaying the same records in the same order always gives the
/// same index; the writer applies each batch's records the same way once they are durable.
struct SpoolIndex: Sendable {
    private(set) var jobs: [TimeOrderedID: IndexEntry] = [:]
    private(set) var dead: [TimeOrderedID: DeadEntry] = [:]
    private(set) var actions: [String] = []
    private var actionNumbers: [String: UInt32] = [:]
    private(set) var usage: [UInt32: SegmentUsage] = [:]
    private(set) var dedupe: DedupeTable
    private(set) var liveCount = 0

    init(dedupeCapacity: Int) {
        dedupe = DedupeTable(capacity: dedupeCapacity)
    }

    var deadCount: Int { dead.count }

    /// Applies one record found at `location`; `now` decides which dedupe keys have expired.
    mutating func apply(_ record: SpoolRecord, at location: RecordLocation, now: Int64) {
        switch record {
        case .jobAdded(let header):
            // A second "job added" for an id is a compaction copy: it carries the latest state.
            removeJob(header.id)
            let entry = IndexEntry(
                notBefore: header.notBefore, createdAt: header.createdAt, orderingGroup: header.orderingGroup,
                segment: location.segment, offset: location.offset, length: location.length,
                attempts: header.attempts, action: number(ofAction: header.action), isDead: false)
            jobs[header.id] = entry
            liveCount += 1
            retain(location)
        case .attemptFinished(let id, let attempts, let notBefore):
            guard var entry = jobs[id], !entry.isDead else { return }
            entry.attempts = attempts
            entry.notBefore = notBefore
            jobs[id] = entry
        case .jobDone(let id), .jobDropped(let id):
            removeJob(id)
        case .jobDead(let id, let attempts, let diedAt):
            guard var entry = jobs[id] else { return }
            if let previous = dead[id] { release(previous.record) }
            if !entry.isDead { liveCount -= 1 }
            entry.isDead = true
            entry.attempts = attempts
            jobs[id] = entry
            dead[id] = DeadEntry(record: location, diedAt: diedAt)
            retain(location)
        case .jobRetried(let id, let notBefore):
            guard var entry = jobs[id] else { return }
            if entry.isDead {
                // A new attempt series.
                entry.isDead = false
                entry.attempts = 0
                liveCount += 1
                if let previous = dead.removeValue(forKey: id) { release(previous.record) }
            }
            entry.notBefore = notBefore
            jobs[id] = entry
        case .dedupeKey(let digest, let expiresAt):
            let (inserted, replaced) = dedupe.insert(digest, expiresAt: expiresAt, segment: location.segment, now: now)
            if let replaced {
                release(RecordLocation(segment: replaced.segment, offset: 0, length: DedupeTable.frameLength))
            }
            if inserted { retain(location) }
            for segment in dedupe.sweep(now: now) {
                release(RecordLocation(segment: segment, offset: 0, length: DedupeTable.frameLength))
            }
        }
    }

    /// Removes expired dedupe keys (so that their segments can be compacted away).
    mutating func expireDedupeKeys(now: Int64) {
        for segment in dedupe.sweep(now: now) {
            release(RecordLocation(segment: segment, offset: 0, length: DedupeTable.frameLength))
        }
    }

    func action(of entry: IndexEntry) -> String { actions[Int(entry.action)] }

    /// Forgets a segment's usage entry once the segment is deleted.
    mutating func forgetSegment(_ number: UInt32) { usage[number] = nil }

    private mutating func removeJob(_ id: TimeOrderedID) {
        guard let entry = jobs.removeValue(forKey: id) else { return }
        if !entry.isDead { liveCount -= 1 }
        release(entry.location)
        if let previous = dead.removeValue(forKey: id) { release(previous.record) }
    }

    private mutating func retain(_ location: RecordLocation) {
        usage[location.segment, default: SegmentUsage()].liveBytes += Int(location.length)
        usage[location.segment, default: SegmentUsage()].references += 1
    }

    private mutating func release(_ location: RecordLocation) {
        usage[location.segment, default: SegmentUsage()].liveBytes -= Int(location.length)
        usage[location.segment, default: SegmentUsage()].references -= 1
    }

    private mutating func number(ofAction action: String) -> UInt32 {
        if let number = actionNumbers[action] { return number }
        let number = UInt32(actions.count)
        actions.append(action)
        actionNumbers[action] = number
        return number
    }
}
