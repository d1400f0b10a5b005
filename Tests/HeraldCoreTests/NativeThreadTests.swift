import Foundation
import Glibc
import HeraldCore
import Testing

@Suite struct NativeThreadTests {
    @Test func runsTheBodyOnANamedThreadOfItsOwn() async throws {
        let comm = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            NativeThread.start(named: "herald-test-thread-long-name") {
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                continuation.resume(returning: comm.trimmingCharacters(in: .newlines))
            }
        }
        // Its own name, which only a thread of its own can have; Linux keeps 15 bytes of it.
        #expect(comm == "herald-test-thr")
    }

    @Test func sleepsAtLeastAsLongAsAsked() {
        let start = ContinuousClock.now
        NativeThread.sleep(for: .milliseconds(20))
        #expect(ContinuousClock.now - start >= .milliseconds(20))
        NativeThread.sleep(for: .milliseconds(-5))
    }
}

@Suite struct NativeConditionTests {
    @Test func aTimedWaitWithoutASignalRunsOut() {
        let condition = NativeCondition()
        condition.lock()
        let woken = condition.wait(for: .milliseconds(10))
        condition.unlock()
        #expect(!woken)
    }

    @Test func aSignalWakesTheWaiter() async {
        let condition = NativeCondition()
        let state = Flag()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            NativeThread.start(named: "waiter") {
                condition.lock()
                while !state.isSet { condition.wait() }
                condition.unlock()
                continuation.resume(returning: true)
            }
            condition.lock()
            state.isSet = true
            condition.broadcast()
            condition.unlock()
        }
        #expect(result)
    }

    /// Guarded by the condition's lock.
    private final class Flag: @unchecked Sendable {
        var isSet = false
    }
}
