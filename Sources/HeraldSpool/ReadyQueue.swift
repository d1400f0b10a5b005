import HeraldCore
import HeraldJobs

/// Which queued jobs of the local store may run when (design §7): the due-time heap of jobs that
/// may run, later jobs of an ordering group waiting for the one before them, jobs held back by
/// their action's concurrency, and the attempts under way. It holds slot numbers of the
/// `JobTable`, never a copy of a job's state.
///
/// Ordering: the first attempts of one group (one action, one recipient) run in the order the
/// jobs were planned, so a verification mail is not overtaken by a welcome planned after it. A
/// job whose attempt failed leaves its group and retries on its own time, and the next job of
/// the group goes ahead: one failing mail never holds a user's later mail hostage for `max_age`.
struct ReadyQueue {
    /// Room for attempts, as the executor counts it: in all, and per limited action by its
    /// number in `SpoolIndex.actions`.
    struct Room {
        var count: Int
        var perAction: [UInt16: Int]
    }

    /// An attempt under way.
    struct Attempt {
        let action: UInt16
        /// The ordering group it holds (its first attempt), released when it ends.
        let group: UInt64?
    }

    /// Jobs that may run once due (each the oldest of its ordering group, or without a group).
    private var heap = DueHeap()
    /// Later jobs of an ordering group, waiting for the one before them to finish.
    private var waiting: [UInt64: [UInt32]] = [:]
    /// Groups whose head job is in the heap or running.
    private var busyGroups: Set<UInt64> = []
    /// Jobs held back because their action is at its concurrency limit.
    private var heldByAction: [UInt16: [UInt32]] = [:]
    private(set) var running: [TimeOrderedID: Attempt] = [:]

    /// The earliest due time among jobs that may run.
    func nextDue(in table: JobTable) -> Int64? { heap.min.map { table[$0].notBefore } }

    /// The group a job is ordered in: only jobs not yet attempted in this series are.
    static func group(of slot: JobTable.Slot) -> UInt64? {
        slot.attempts == 0 && slot.orderingGroup != 0 ? slot.orderingGroup : nil
    }

    /// Queues a job, behind the earlier jobs of its group (callers add in planning order).
    mutating func add(_ number: UInt32, in table: JobTable) {
        let slot = table[number]
        if let group = ReadyQueue.group(of: slot) {
            if busyGroups.contains(group) {
                waiting[group, default: []].append(number)
                return
            }
            busyGroups.insert(group)
        }
        heap.insert(number, in: table)
    }

    /// Takes due jobs within the room and marks them running. A due job whose action has no
    /// room is held back until a claim finds room for that action.
    mutating func takeReady(now: Int64, room: Room, table: inout JobTable) -> [UInt32] {
        var ready: [UInt32] = []
        var room = room
        // Jobs held back for their action go back on the heap as far as it has room now (an
        // attempt of it ended since, or its limit was raised): the room is the executor's count,
        // which can lag behind the attempts this queue saw end.
        for (action, held) in heldByAction {
            let free = min(room.perAction[action] ?? room.count, held.count)
            guard free > 0 else { continue }
            for number in held.prefix(free) { heap.insert(number, in: table) }
            heldByAction[action] = held.count > free ? Array(held.dropFirst(free)) : nil
        }
        while ready.count < room.count, let number = heap.min, table[number].notBefore <= now {
            heap.popMin(in: table)
            let slot = table[number]
            if let free = room.perAction[slot.action] {
                guard free > 0 else {
                    heldByAction[slot.action, default: []].append(number)
                    continue
                }
                room.perAction[slot.action] = free - 1
            }
            running[slot.id] = Attempt(action: slot.action, group: ReadyQueue.group(of: slot))
            table[number].state = .running
            ready.append(number)
        }
        return ready
    }

    /// Ends an attempt: when it was a first attempt, lets the next job of its group go ahead
    /// (whether the job is done, dead, dropped or retries on its own).
    mutating func endAttempt(_ id: TimeOrderedID, in table: JobTable) {
        guard let attempt = running.removeValue(forKey: id) else { return }
        advance(attempt.group, in: table)
    }

    /// A claimed job goes back, never attempted: it stays its group's head (the group stays
    /// busy) and is due as before.
    mutating func release(_ number: UInt32, in table: JobTable) {
        guard running.removeValue(forKey: table[number].id) != nil else { return }
        heap.insert(number, in: table)
    }

    /// Takes a queued (not running) job out: it never runs, and its group moves on if it led it.
    mutating func remove(_ number: UInt32, in table: JobTable) {
        let slot = table[number]
        if let group = ReadyQueue.group(of: slot), var line = waiting[group],
            let position = line.firstIndex(of: number)
        {
            // Not its group's head: taking it out of the line is all.
            line.remove(at: position)
            waiting[group] = line.isEmpty ? nil : line
            return
        }
        if var held = heldByAction[slot.action], let position = held.firstIndex(of: number) {
            held.remove(at: position)
            heldByAction[slot.action] = held.isEmpty ? nil : held
        } else {
            heap.remove(number, in: table)
        }
        advance(ReadyQueue.group(of: slot), in: table)
    }

    /// Moves a queued job to its (new) `notBefore`. A job waiting behind an earlier job of its
    /// group still waits for it, and takes its new time when its turn comes.
    mutating func reschedule(_ number: UInt32, in table: JobTable) {
        let slot = table[number]
        if let group = ReadyQueue.group(of: slot), waiting[group]?.contains(number) == true { return }
        // Held back by its action: it takes its new time when it goes back on the heap.
        if heldByAction[slot.action]?.contains(number) == true { return }
        if heap.remove(number, in: table) { heap.insert(number, in: table) }
    }

    /// Puts a job whose attempt ended back on the heap, out of any group (it has been attempted).
    mutating func retry(_ number: UInt32, in table: JobTable) {
        heap.insert(number, in: table)
    }

    /// What a queued job is waiting for.
    func wait(of number: UInt32, in table: JobTable) -> JobWait {
        let slot = table[number]
        if running[slot.id] != nil { return .running }
        if let group = ReadyQueue.group(of: slot), let line = waiting[group],
            let position = line.firstIndex(of: number)
        {
            return .earlierJobs(ahead: position + 1)
        }
        if heldByAction[slot.action]?.contains(number) == true { return .actionConcurrency }
        if heap.contains(number) { return .dueTime }
        return .unknown
    }

    private mutating func advance(_ group: UInt64?, in table: JobTable) {
        guard let group else { return }
        if var line = waiting[group], !line.isEmpty {
            let next = line.removeFirst()
            waiting[group] = line.isEmpty ? nil : line
            heap.insert(next, in: table)
        } else {
            busyGroups.remove(group)
        }
    }
}
