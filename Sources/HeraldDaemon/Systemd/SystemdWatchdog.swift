import Dispatch
import Glibc
import HeraldCore
import Synchronization

/// Sends `WATCHDOG=1` every half `WATCHDOG_USEC`, but only while every liveness check passes, so
/// that systemd restarts a daemon whose event loop or scheduler hangs (design §9).
///
/// Runs on its own dispatch queue, not on the cooperative pool it is partly there to watch.
///
/// `@unchecked Sendable`: `timer` is made in init and never replaced; dispatch sources may be
/// resumed and cancelled from any thread; the mutable state is behind `failing`'s mutex.
package final class SystemdWatchdog: @unchecked Sendable {
    /// A named check; `isAlive` is called once per tick from the watchdog's queue.
    package struct Check: Sendable {
        package let name: String
        package let isAlive: @Sendable () -> Bool

        package init(_ name: String, isAlive: @escaping @Sendable () -> Bool) {
            self.name = name
            self.isAlive = isAlive
        }
    }

    package let interval: Duration
    private let notifier: SystemdNotifier
    private let checks: [Check]
    private let logger: Logger
    private let timer: any DispatchSourceTimer
    private let failing = Mutex<Set<String>>([])
    private let started = Atomic<Bool>(false)

    /// Half of `WATCHDOG_USEC`, when it is set for this process (`WATCHDOG_PID` absent or ours).
    ///
    /// - Throws: `SystemdError.invalidEnvironment` for a value that is not a positive number.
    package static func interval(environment: [String: String], pid: Int32 = getpid()) throws(SystemdError) -> Duration?
    {
        guard let text = environment["WATCHDOG_USEC"] else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        guard let microseconds = UInt64(text), microseconds > 0 else {
            throw .invalidEnvironment(name: "WATCHDOG_USEC", value: text)
        }
        return .microseconds(microseconds / 2)
    }

    package init(notifier: SystemdNotifier, interval: Duration, checks: [Check], logger: Logger) {
        self.notifier = notifier
        self.interval = interval
        self.checks = checks
        self.logger = logger
        self.timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "herald.watchdog"))
    }

    deinit {
        timer.cancel()
        // A source that was never resumed must be resumed (once cancelled) before it is released.
        if !started.load(ordering: .acquiring) { timer.resume() }
    }

    /// Pings at once (start-up is over), then every `interval`.
    package func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let nanoseconds =
            Int(interval.components.seconds) * 1_000_000_000 + Int(interval.components.attoseconds / 1_000_000_000)
        timer.schedule(
            deadline: .now(), repeating: .nanoseconds(max(nanoseconds, 1_000_000)), leeway: .milliseconds(10))
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
    }

    /// Stops pinging (at shutdown, after `STOPPING=1`).
    package func stop() {
        timer.cancel()
    }

    private func tick() {
        // Every check runs each tick, so each asks its loop for the next answer.
        let failing = Set(checks.filter { !$0.isAlive() }.map(\.name))
        let previous = self.failing.withLock { state in
            let previous = state
            state = failing
            return previous
        }
        for name in failing.subtracting(previous).sorted() {
            logger.error("watchdog: \(name) is not responding; systemd is not told we are alive")
        }
        for name in previous.subtracting(failing).sorted() {
            logger.warning("watchdog: \(name) responds again")
        }
        if failing.isEmpty { notifier.watchdog() }
    }
}
