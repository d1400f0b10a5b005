import HeraldCore
import Synchronization
import Testing

@testable import HeraldDaemon

/// The daemon's lifecycle: services stop in reverse order, each after the one before it ended,
/// and close only when all have stopped.
@Suite struct ServiceGroupTests {
    /// A service that, asked to stop, takes `drain` to end, and logs what happens to it.
    private func service(_ name: String, drain: Duration, journal: Journal) -> LifecycleService {
        let stopped = Latch()
        return LifecycleService(
            name,
            run: {
                await stopped.wait()
                journal.add("\(name) ended")
            },
            stop: { _ in
                journal.add("\(name) stopping")
                Task {
                    try? await Task.sleep(for: drain)
                    stopped.open()
                }
            },
            close: { journal.add("\(name) closed") })
    }

    @Test func servicesStopInReverseOrderEachAfterThePreviousEnded() async {
        let journal = Journal()
        let group = ServiceGroup(
            [
                service("store", drain: .milliseconds(10), journal: journal),
                service("control", drain: .zero, journal: journal),
                service("listener", drain: .milliseconds(50), journal: journal),
            ], logger: .discarding)
        group.shutdown(deadline: .now + .seconds(5))
        group.shutdown(deadline: .now)  // a second signal changes nothing
        #expect(await group.run())
        #expect(
            journal.lines == [
                "listener stopping", "listener ended", "control stopping", "control ended", "store stopping",
                "store ended", "listener closed", "control closed", "store closed",
            ])
    }
}

extension ServiceGroupTests {
    /// A service that ends before any stop was asked for stops the others, in reverse order,
    /// and the group says so (herald then exits non-zero, and systemd restarts it).
    @Test func aServiceThatEndsOnItsOwnStopsTheGroup() async {
        let journal = Journal()
        let group = ServiceGroup(
            [
                service("store", drain: .zero, journal: journal),
                LifecycleService(
                    "delivery", run: { journal.add("delivery ended") }, stop: { _ in journal.add("delivery stopping") }),
                service("listener", drain: .zero, journal: journal),
            ], logger: .discarding, stopDeadline: .seconds(5))
        #expect(await group.run() == false)
        #expect(journal.lines.prefix(2) == ["delivery ended", "listener stopping"])
        #expect(journal.lines.contains("store ended"))
    }
}

private final class Journal: Sendable {
    private let entries = Mutex<[String]>([])
    func add(_ line: String) { entries.withLock { $0.append(line) } }
    var lines: [String] { entries.withLock { $0 } }
}
