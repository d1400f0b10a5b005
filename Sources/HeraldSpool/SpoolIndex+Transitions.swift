import HeraldCore
import HeraldJobs

/// A job an executor claimed for an attempt.
package struct ClaimedJob: Sendable, Equatable {
    package let id: TimeOrderedID
    package let action: String
    /// Attempts made before this one in the current series.
    package let attempts: Int
    /// When the current series began, for a dead letter an operator put back; nil: the job's
    /// due time (`Job.dueAt`).
    package let seriesStart: WallClock?
    /// The previous attempt ended ambiguously: it may have reached the peer.
    package let previousAttemptMayHaveSent: Bool
}

/// How an attempt ended, as the spool records it (from an `AttemptVerdict`).
package enum AttemptResult: Sendable {
    case delivered
    /// Not delivered: `attempts` so far, and when to try again; `mayHaveSent` when the attempt
    /// may have reached the peer.
    case retry(attempts: Int, notBefore: WallClock, mayHaveSent: Bool, reason: String)
    /// Failed for good, or out of retries: a dead letter.
    case dead(attempts: Int, reason: String, lastAnswer: String?)

    var transition: JobTransition {
        switch self {
        case .delivered: .deliver
        case .retry: .retry
        case .dead: .fail
        }
    }
}

/// The transitions of a job's state in the local store (see `JobState`): each checks that the
/// job's state allows it, changes the state and the ready queue together, and leaves writing its
/// record to the caller, in the same critical section.
extension SpoolIndex {
    /// Builds the ready queue from the jobs queued now, in planning order (by id, which is
    /// time-ordered), so that each ordering group's first attempts keep their order.
    mutating func startScheduling() {
        guard ready == nil else { return }
        var queued = table.numbers.filter { table[$0].state == .queued }
        queued.sort { table[$0].id < table[$1].id }
        var ready = ReadyQueue()
        for number in queued { ready.add(number, in: table) }
        self.ready = ready
    }

    /// When the next queued job is due, if any may run.
    var nextDue: WallClock? {
        ready?.nextDue(in: table).map { WallClock(millisecondsSinceEpoch: $0) }
    }

    /// Takes the jobs due at `now` that the request has room for: queued → running.
    mutating func claim(now: WallClock, request: ClaimRequest) -> [ClaimedJob] {
        startScheduling()
        var perAction: [UInt16: Int] = [:]
        for (action, free) in request.perAction {
            if let number = actionNumber(of: action) { perAction[number] = free }
        }
        let numbers = ready!.takeReady(
            now: now.millisecondsSinceEpoch, room: ReadyQueue.Room(count: request.count, perAction: perAction),
            table: &table)
        return numbers.map { number in
            let slot = table[number]
            return ClaimedJob(
                id: slot.id, action: action(of: slot), attempts: Int(slot.attempts),
                seriesStart: seriesStarts[slot.id].map { WallClock(millisecondsSinceEpoch: $0) },
                previousAttemptMayHaveSent: slot.mayHaveSent)
        }
    }

    /// Ends an attempt with `result`: running → done, queued (retry) or dead. Returns false when
    /// the job is not running any more (an operator dropped it meanwhile): then nothing is to be
    /// recorded.
    mutating func finishAttempt(_ id: TimeOrderedID, _ result: AttemptResult) -> Bool {
        guard let number = table.find(id), let next = table[number].state.after(result.transition),
            table[number].state == .running
        else {
            ready?.endAttempt(id, in: table)
            return false
        }
        switch result {
        case .delivered:
            break
        case .retry(let attempts, let notBefore, let mayHaveSent, _):
            table[number].attempts = UInt16(clamping: attempts)
            table[number].notBefore = notBefore.millisecondsSinceEpoch
            table[number].mayHaveSent = mayHaveSent
        case .dead(let attempts, _, _):
            table[number].attempts = UInt16(clamping: attempts)
            seriesStarts[id] = nil
        }
        // The group moves on first (the job, if it retries, is attempted now and unordered).
        ready?.endAttempt(id, in: table)
        setState(number, next)
        if case .retry = result { ready?.retry(number, in: table) }
        if next == .done { seriesStarts[id] = nil }
        return true
    }

    /// A claim given back before its attempt started: running → queued, its place in its
    /// ordering group kept. Nothing is recorded (running is never recorded).
    mutating func release(_ id: TimeOrderedID) {
        guard let number = table.find(id), table[number].state == .running,
            let next = table[number].state.after(.release)
        else { return }
        setState(number, next)
        ready?.release(number, in: table)
    }

    /// An operator's "run now": a queued job becomes due at `notBefore`; a dead letter goes back
    /// to the queue as a new series of attempts starting then. Returns the state the job was in
    /// (nil: no such job); the change is made only from queued or dead.
    mutating func retry(_ id: TimeOrderedID, notBefore: WallClock) -> JobState? {
        guard let number = table.find(id) else { return nil }
        let state = table[number].state
        let time = notBefore.millisecondsSinceEpoch
        switch state {
        case .queued:
            table[number].notBefore = time
            ready?.reschedule(number, in: table)
        case .dead:
            setState(number, .queued)
            table[number].attempts = 0
            table[number].notBefore = time
            seriesStarts[id] = time
            ready?.add(number, in: table)
        case .running, .done:
            break
        }
        return state == .done ? nil : state
    }

    /// An operator's drop: the job never runs again (a running attempt finishes, unrecorded).
    /// Returns the state the job was in (nil: no such job).
    mutating func drop(_ id: TimeOrderedID) -> JobState? {
        guard let number = table.find(id), let next = table[number].state.after(.drop) else { return nil }
        let state = table[number].state
        if state == .queued { ready?.remove(number, in: table) }
        setState(number, next)
        return state
    }

    /// What a queued job waits for (`.unknown` when nothing schedules it).
    func wait(of id: TimeOrderedID) -> JobWait {
        guard let ready, let number = table.find(id) else { return .unknown }
        return ready.wait(of: number, in: table)
    }
}
