import Foundation
import HeraldCore
import HeraldJobs
import Synchronization

@testable import HeraldSpool

/// A fresh directory under $TMPDIR (or /tmp), removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/herald-spool-test-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = created.map { String(cString: $0) } ?? "\(base)/herald-spool-test-\(UInt64.random(in: 0...UInt64.max))"
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    var spool: String { path + "/spool" }

    /// The segment files, oldest first.
    var segments: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).filter { $0.hasPrefix("segment-") }
            .sorted()
            .map { spool + "/" + $0 }
    }
}

/// Keeps every log line, for tests that check what was reported.
final class RecordingLogHandler: LogHandler {
    struct Line: Sendable {
        let level: LogLevel
        let message: String
        let fields: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    func log(level: LogLevel, message: String, fields: [(String, LogValue)]) {
        var map: [String: String] = [:]
        for (key, value) in fields {
            switch value {
            case .string(let text), .personal(let text): map[key] = text
            case .int(let number): map[key] = String(number)
            case .double(let number): map[key] = String(number)
            case .bool(let flag): map[key] = String(flag)
            }
        }
        let line = Line(level: level, message: message, fields: map)
        lines.withLock { $0.append(line) }
    }

    var all: [Line] { lines.withLock { $0 } }

    func lines(containing text: String) -> [Line] { all.filter { $0.message.contains(text) } }

    var logger: Logger { Logger(handler: self, level: .debug) }
}

/// A clock the test sets.
final class ManualTimeSource: TimeSource {
    private let current: Mutex<WallClock>
    init(_ start: WallClock = WallClock(millisecondsSinceEpoch: 1_800_000_000_000)) { current = Mutex(start) }
    var now: WallClock { current.withLock { $0 } }
    func advance(_ duration: Duration) { current.withLock { $0 = $0.adding(duration) } }
}

let testIDs = TimeOrderedIDGenerator()

/// A small job like the daemon plans them.
func makeJob(
    action: String = "mandrill", orderingKey: String? = "ada@example.com", payloadBytes: Int = 200,
    notBefore: WallClock = WallClock(millisecondsSinceEpoch: 1_800_000_000_000)
) -> Job {
    let payload: JSON = [
        "template": "welcome", "to": [["email": "ada@example.com", "name": "Ada"]],
        "merge_vars": ["code": .string(String(repeating: "x", count: max(0, payloadBytes - 80)))],
    ]
    return Job(
        id: testIDs.next(), eventID: testIDs.next(), eventName: EventName(flow: "registration", phase: "after"),
        route: "welcome", action: action, payload: payload, orderingKey: orderingKey,
        createdAt: WallClock(millisecondsSinceEpoch: 1_800_000_000_000), notBefore: notBefore)
}

/// Options for tests: no background compaction (tests call `compact()`), a fixed clock, no zeros
/// written ahead.
func testOptions(clock: ManualTimeSource = ManualTimeSource(), segmentSize: Int = 64 << 20) -> SpoolOptions {
    var options = SpoolOptions()
    options.compactionInterval = nil
    options.clock = clock
    options.segmentSize = segmentSize
    options.recoveryProbeInterval = .milliseconds(20)
    // No zeroing thread: fault tests count the writes and syncs they fail (SegmentPreallocator
    // has tests of its own).
    options.preallocation = 0
    return options
}

extension Spool {
    /// Complete without waiting on the caller side, then waits for it: durable when it returns.
    func completeAndWait(_ id: TimeOrderedID) async throws(SpoolError) {
        complete(id)
        try await flush()
    }
}

/// Waits (briefly) until `condition` holds; for state the writer thread changes on its own.
func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<500 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// Outcomes of attempts, for tests of what the spool stores. Each marks the job running first,
/// as a claim does, without scheduling (the ready queue has its own tests through `claim`).
extension Spool {
    func markRunning(_ id: TimeOrderedID) {
        shared.withLock { shared in
            precondition(shared.index.ready == nil, "markRunning is for spools nothing schedules")
            guard let number = shared.index.table.find(id),
                let running = shared.index.table[number].state.after(.claim)
            else { return }
            shared.index.setState(number, running)
        }
    }

    func recordAttempt(
        _ id: TimeOrderedID, attempts: Int, notBefore: WallClock, mayHaveSent: Bool, reason: String,
        completion: SpoolCompletion? = nil
    ) {
        markRunning(id)
        finishAttempt(
            id, .retry(attempts: attempts, notBefore: notBefore, mayHaveSent: mayHaveSent, reason: reason),
            completion: completion)
    }

    /// Claims as the executor does: within `limits`, less the attempts under way.
    func claim(now: WallClock, limits: DeliveryLimits) -> [ClaimedJob] {
        let running = shared.withLock { shared in
            shared.index.ready?.running.values.map { shared.index.action(ofNumber: $0.action) } ?? []
        }
        var slots = AttemptSlots()
        for action in running { slots.take(action) }
        return claim(now: now, request: slots.request(limits, actions: Set(limits.perAction.keys)))
    }

    func complete(_ id: TimeOrderedID, completion: SpoolCompletion? = nil) {
        markRunning(id)
        finishAttempt(id, .delivered, completion: completion)
    }

    func kill(
        _ id: TimeOrderedID, reason: String, attempts: Int, lastAnswer: String?, completion: SpoolCompletion? = nil
    ) {
        markRunning(id)
        finishAttempt(id, .dead(attempts: attempts, reason: reason, lastAnswer: lastAnswer), completion: completion)
    }
}
