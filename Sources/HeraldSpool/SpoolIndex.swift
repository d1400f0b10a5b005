import HeraldCore
import HeraldJobs

/// Where a record is: segment number, offset and length of its frame.
struct RecordLocation: Sendable, Equatable {
    var segment: UInt32
    var offset: UInt32
    var length: UInt32
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

/// The in-memory state rebuilt from the log: jobs and their states, dead letters, dedupe keys,
/// and per segment what is still in use; and, once the daemon schedules, which jobs may run when.
/// It is the one owner of a job's state in the local store (issue 10).
///
/// Two kinds of change reach it. A *transition* (`claim`, `finishAttempt`, `expedite`, `revive`,
/// `drop`, in `SpoolIndex+Transitions.swift`) changes a job's state at once, under the spool's
/// lock, and its record is queued for the writer in the same step. A *record*, once durable,
/// moves the storage bookkeeping (`apply`): where each job's record is, which segments are in
/// use. Recovery replays records only, so for it `apply` also makes the state change the
/// transition made; replaying the same records in the same order always gives the same index.
struct SpoolIndex: Sendable {
    var table = JobTable()
    private(set) var dead: [TimeOrderedID: DeadEntry] = [:]
    /// When the attempt series of a dead letter an operator put back began: `max_age` counts
    /// from then (from the job's due time for every other job). Durable: the "job retried"
    /// record of a dead letter says it, and compaction copies it as a "series started" record.
    var seriesStarts: [TimeOrderedID: Int64] = [:]
    private(set) var actions: [String] = []
    private var actionNumbers: [String: UInt16] = [:]
    private(set) var usage: [UInt32: SegmentUsage] = [:]
    private(set) var dedupe: DedupeTable
    /// Jobs queued or running.
    private(set) var liveCount = 0
    /// False while recovery replays the log; then records change storage bookkeeping only.
    var isLive = false
    /// Built when scheduling starts (the daemon's first claim), in planning order.
    var ready: ReadyQueue?

    init(dedupeCapacity: Int) {
        dedupe = DedupeTable(capacity: dedupeCapacity)
    }

    var deadCount: Int { dead.count }

    /// The slot of `id`, if the store has the job (in any state but done).
    func slot(of id: TimeOrderedID) -> JobTable.Slot? {
        guard let number = table.find(id) else { return nil }
        let slot = table[number]
        return slot.state == .done ? nil : slot
    }

    /// Applies one durable record found at `location`; `now` decides which dedupe keys have
    /// expired.
    mutating func apply(_ record: SpoolRecord, at location: RecordLocation, now: Int64) {
        switch record {
        case .jobAdded(let header):
            if isLive, let number = table.find(header.id) {
                // A compaction copy: only the record moved; the state is the live one.
                release(table[number].location)
                table[number].location = location
                retain(location)
                return
            }
            // In recovery a second "job added" for an id is a compaction copy carrying the
            // latest state (its death and series start follow it).
            removeJob(header.id)
            let number = table.insert(
                JobTable.Slot(
                    id: header.id, notBefore: header.notBefore, createdAt: header.createdAt,
                    orderingGroup: header.orderingGroup, location: location,
                    attempts: UInt16(clamping: header.attempts), action: number(ofAction: header.action),
                    state: .queued))
            liveCount += 1
            retain(location)
            ready?.add(number, in: table)
        case .attemptFinished(let id, let attempts, let notBefore, let mayHaveSent):
            guard !isLive, let number = table.find(id), table[number].state == .queued else { return }
            table[number].attempts = UInt16(clamping: attempts)
            table[number].notBefore = notBefore
            table[number].mayHaveSent = mayHaveSent
        case .mayHaveSent(let id):
            guard !isLive, let number = table.find(id) else { return }
            table[number].mayHaveSent = true
        case .jobDone(let id), .jobDropped(let id):
            removeJob(id)
        case .jobDead(let id, let attempts, let diedAt):
            guard let number = table.find(id), table[number].state != .done else { return }
            if let previous = dead[id] { release(previous.record) }
            dead[id] = DeadEntry(record: location, diedAt: diedAt)
            retain(location)
            if !isLive {
                setState(number, .dead)
                table[number].attempts = UInt16(clamping: attempts)
                seriesStarts[id] = nil
            }
        case .jobRetried(let id, let notBefore):
            guard let number = table.find(id) else { return }
            if !isLive {
                if table[number].state == .dead {
                    // A new attempt series.
                    setState(number, .queued)
                    table[number].attempts = 0
                    seriesStarts[id] = notBefore
                }
                table[number].notBefore = notBefore
            }
            if table[number].state != .dead, let previous = dead.removeValue(forKey: id) { release(previous.record) }
        case .seriesStarted(let id, let startedAt):
            guard !isLive, table.find(id) != nil else { return }
            seriesStarts[id] = startedAt
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

    func action(of slot: JobTable.Slot) -> String {
        Int(slot.action) < actions.count ? actions[Int(slot.action)] : "(one of more than 65,535 actions)"
    }

    func actionNumber(of action: String) -> UInt16? { actionNumbers[action] }

    /// The action of number `number` (see `actionNumber(of:)`).
    func action(ofNumber number: UInt16) -> String {
        Int(number) < actions.count ? actions[Int(number)] : "(one of more than 65,535 actions)"
    }

    /// Forgets a segment's usage entry once the segment is deleted.
    mutating func forgetSegment(_ number: UInt32) { usage[number] = nil }

    /// Changes a job's state, keeping `liveCount` in step.
    mutating func setState(_ number: UInt32, _ state: JobState) {
        let wasLive = table[number].state == .queued || table[number].state == .running
        let isLive = state == .queued || state == .running
        liveCount += (isLive ? 1 : 0) - (wasLive ? 1 : 0)
        table[number].state = state
    }

    private mutating func removeJob(_ id: TimeOrderedID) {
        guard let number = table.find(id) else { return }
        setState(number, .done)
        release(table[number].location)
        table.remove(id)
        if let previous = dead.removeValue(forKey: id) { release(previous.record) }
        seriesStarts[id] = nil
    }

    private mutating func retain(_ location: RecordLocation) {
        usage[location.segment, default: SegmentUsage()].liveBytes += Int(location.length)
        usage[location.segment, default: SegmentUsage()].references += 1
    }

    private mutating func release(_ location: RecordLocation) {
        usage[location.segment, default: SegmentUsage()].liveBytes -= Int(location.length)
        usage[location.segment, default: SegmentUsage()].references -= 1
    }

    private mutating func number(ofAction action: String) -> UInt16 {
        if let number = actionNumbers[action] { return number }
        let number = UInt16(clamping: actions.count)
        if actions.count < Int(UInt16.max) {
            actions.append(action)
            actionNumbers[action] = number
        }
        return number
    }
}
