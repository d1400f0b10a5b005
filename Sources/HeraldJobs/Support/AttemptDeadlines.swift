import HeraldCore

/// Cancels the attempts that overrun their timeout: one thread watches every attempt's deadline.
///
/// Each attempt used to race its plugin against a sleeping child task: per attempt a task group,
/// two tasks and a dispatch timer, armed and cancelled again (the timer's start alone woke
/// dispatch's manager thread each time: 8 % of herald's CPU delivering to a fast peer, `perf`,
/// 2026-12-06). Here an attempt adds its deadline to a table and removes it when done; the thread
/// sleeps until the earliest deadline in the table, and under load — where every attempt ends long
/// before its deadline — it wakes about once per timeout. It starts with the first watch and ends
/// after `idleExit` with nothing to watch.
///
/// ```swift
/// let watch = deadlines.watch(until: .now + .seconds(30)) { task.cancel() }
/// let outcome = await task.value
/// if deadlines.end(watch) { /* it was cancelled for overrunning */ }
/// ```
package final class AttemptDeadlines: @unchecked Sendable {
    // @unchecked: every stored property below `condition` is read and written with its lock held.
    private struct Watch {
        let deadline: ContinuousClock.Instant
        let cancel: @Sendable () -> Void
        var fired = false
    }

    private let condition = NativeCondition()
    private let idleExit: Duration
    private var watches: [UInt64: Watch] = [:]
    private var nextID: UInt64 = 0
    private var threadRunning = false
    /// When the thread wakes next; nil while it runs or waits for a first watch.
    private var threadWakesAt: ContinuousClock.Instant?
    private var threadsStarted = 0

    /// - Parameter idleExit: how long the thread stays with nothing to watch before it ends.
    package init(idleExit: Duration = .seconds(10)) {
        self.idleExit = idleExit
    }

    /// Threads started so far: one per busy period.
    package var threadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return threadsStarted
    }

    /// Whether the thread runs now.
    package var threadRuns: Bool {
        condition.lock()
        defer { condition.unlock() }
        return threadRunning
    }

    /// Attempts watched now.
    package var watching: Int {
        condition.lock()
        defer { condition.unlock() }
        return watches.count
    }

    /// Calls `cancel` once `deadline` passes, unless `end` comes first.
    package func watch(until deadline: ContinuousClock.Instant, cancel: @escaping @Sendable () -> Void) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        let id = nextID
        nextID += 1
        watches[id] = Watch(deadline: deadline, cancel: cancel)
        if !threadRunning {
            threadRunning = true
            threadsStarted += 1
            NativeThread.start(named: "herald-deadline") { self.watchLoop() }
        } else if threadWakesAt.map({ deadline < $0 }) ?? true {
            condition.signal()
        }
        return id
    }

    /// Stops watching; true when the deadline had passed and `cancel` was called.
    package func end(_ id: UInt64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return watches.removeValue(forKey: id)?.fired ?? false
    }

    private func watchLoop() {
        condition.lock()
        var idleSince: ContinuousClock.Instant?
        while true {
            let now = ContinuousClock.now
            var due: [UInt64] = []
            var earliest: ContinuousClock.Instant?
            for (id, watch) in watches where !watch.fired {
                if watch.deadline <= now {
                    due.append(id)
                } else if earliest.map({ watch.deadline < $0 }) ?? true {
                    earliest = watch.deadline
                }
            }
            if !due.isEmpty {
                let cancels = due.compactMap { id -> (@Sendable () -> Void)? in
                    watches[id]?.fired = true
                    return watches[id]?.cancel
                }
                // Outside the lock: a cancellation runs the task's handlers, which may take time.
                condition.unlock()
                for cancel in cancels { cancel() }
                condition.lock()
                continue
            }
            if let earliest {
                idleSince = nil
                threadWakesAt = earliest
                condition.wait(for: earliest - now)
                threadWakesAt = nil
                continue
            }
            if let idleSince, now - idleSince >= idleExit {
                threadRunning = false
                condition.unlock()
                return
            }
            idleSince = idleSince ?? now
            condition.wait(for: idleExit)
        }
    }
}
