import HeraldCore
import Synchronization

/// One part of the running daemon, as the lifecycle sees it.
struct LifecycleService: Sendable {
    let name: String
    /// Runs until the service has stopped (after `stop`, or on its own).
    let run: @Sendable () async -> Void
    /// Asks the service to stop: finish what is under way by the deadline, then give up.
    let stop: @Sendable (ContinuousClock.Instant) -> Void
    /// Releases what it holds, once every service has stopped.
    let close: @Sendable () async -> Void

    init(
        _ name: String, run: @escaping @Sendable () async -> Void,
        stop: @escaping @Sendable (ContinuousClock.Instant) -> Void,
        close: @escaping @Sendable () async -> Void = {}
    ) {
        self.name = name
        self.run = run
        self.stop = stop
        self.close = close
    }
}

/// The daemon's services, listed in the order they depend on each other (the job store first,
/// the executor, the listener that feeds them last). They run together; `shutdown` stops them in
/// reverse order, each only after the one before it has finished: the listener stops taking
/// events and answers the requests it has (their jobs still reach the store), then the control
/// socket, then the executor lets its attempts finish, and only then the store is closed.
///
/// A service that ends on its own, before any stop was asked for, stops the whole group: `run()`
/// then returns false and herald exits non-zero, so that systemd restarts it rather than leaving
/// a daemon that answers but no longer delivers (or the reverse).
final class ServiceGroup: Sendable {
    private let services: [LifecycleService]
    private let logger: Logger
    private let ended: [Latch]
    private let shuttingDown = Atomic<Bool>(false)
    private let endedEarly = Atomic<Bool>(false)
    /// How long the others get to stop after one ended early.
    private let stopDeadline: Duration

    init(_ services: [LifecycleService], logger: Logger, stopDeadline: Duration = .seconds(10)) {
        self.services = services
        self.logger = logger
        self.ended = services.map { _ in Latch() }
        self.stopDeadline = stopDeadline
    }

    /// Runs every service until all have stopped, then closes them in reverse order. Returns
    /// false when one ended on its own.
    func run() async -> Bool {
        await withDiscardingTaskGroup { group in
            for (service, ended) in zip(services, self.ended) {
                group.addTask {
                    await service.run()
                    ended.open()
                    guard !self.shuttingDown.load(ordering: .acquiring) else { return }
                    self.endedEarly.store(true, ordering: .releasing)
                    self.logger.error(
                        "a service ended on its own; stopping herald so that it is restarted",
                        ["service": .string(service.name)])
                    self.shutdown(deadline: .now + self.stopDeadline)
                }
            }
        }
        for service in services.reversed() { await service.close() }
        return !endedEarly.load(ordering: .acquiring)
    }

    /// Stops the services in reverse order, all within `deadline`. Returns at once; `run()`
    /// returns when the last has stopped. Later calls do nothing.
    func shutdown(deadline: ContinuousClock.Instant) {
        guard !shuttingDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Task { [services, ended, logger] in
            for (service, ended) in zip(services, ended).reversed() {
                let started = ContinuousClock.now
                service.stop(deadline)
                await ended.wait()
                logger.debug(
                    "service stopped",
                    ["service": .string(service.name), "ms": .milliseconds(ContinuousClock.now - started)])
            }
        }
    }
}

/// Opens once; everyone waiting (before or after) goes on.
final class Latch: Sendable {
    private struct State {
        var isOpen = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.isOpen { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
