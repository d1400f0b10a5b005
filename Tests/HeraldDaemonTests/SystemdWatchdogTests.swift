import HeraldCore
import HeraldTestSupport
import Synchronization
import Testing

@testable import HeraldDaemon

@Suite struct SystemdWatchdogTests {
    @Test func intervalIsHalfOfWatchdogUsec() throws {
        #expect(try SystemdWatchdog.interval(environment: [:]) == nil)
        #expect(try SystemdWatchdog.interval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(15))
        #expect(
            try SystemdWatchdog.interval(environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "42"], pid: 42)
                == .milliseconds(100))
        #expect(
            try SystemdWatchdog.interval(environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "41"], pid: 42) == nil
        )
        #expect(throws: SystemdError.self) { try SystemdWatchdog.interval(environment: ["WATCHDOG_USEC": "soon"]) }
        #expect(throws: SystemdError.self) { try SystemdWatchdog.interval(environment: ["WATCHDOG_USEC": "0"]) }
    }

    @Test func pingsOnlyWhileEveryCheckPasses() throws {
        let listener = try NotifySocketListener(abstract: true)
        let alive = Atomic<Bool>(true)
        let watchdog = SystemdWatchdog(
            notifier: try SystemdNotifier(path: listener.path), interval: .milliseconds(20),
            checks: [
                .init("steady", isAlive: { true }),
                .init("flaky", isAlive: { alive.load(ordering: .relaxed) }),
            ],
            logger: .discarding)
        watchdog.start()
        #expect(listener.receive(timeout: .seconds(5)) == "WATCHDOG=1")
        #expect(listener.receive(timeout: .seconds(5)) == "WATCHDOG=1")

        alive.store(false, ordering: .relaxed)
        // Drain what was sent before the check started failing; then nothing may arrive.
        while listener.receive(timeout: .milliseconds(300)) != nil {}
        #expect(listener.receive(timeout: .milliseconds(300)) == nil)

        alive.store(true, ordering: .relaxed)
        #expect(listener.receive(timeout: .seconds(5)) == "WATCHDOG=1")
        watchdog.stop()
    }

    @Test func anUnstartedWatchdogCanBeReleased() throws {
        let listener = try NotifySocketListener(abstract: true)
        _ = SystemdWatchdog(
            notifier: try SystemdNotifier(path: listener.path), interval: .seconds(1), checks: [], logger: .discarding)
    }
}

@Suite struct HeartbeatTests {
    @Test func aLoopThatAnswersIsAlive() {
        let heartbeat = Heartbeat()
        var wakes = 0
        #expect(heartbeat.check { wakes += 1 })  // nothing asked yet
        heartbeat.answer()
        #expect(heartbeat.check { wakes += 1 })
        #expect(wakes == 2)
    }

    @Test func aLoopThatDoesNotComeRoundIsNot() {
        let heartbeat = Heartbeat()
        #expect(heartbeat.check {})
        #expect(!heartbeat.check {})  // the first question is still unanswered
        heartbeat.answer()  // answers both
        #expect(heartbeat.check {})
    }
}
