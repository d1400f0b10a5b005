import Dispatch
import HeraldCore
import HeraldTestSupport
import Synchronization
import Testing

@testable import HeraldSpool

/// Many rounds of random appends, completions and compactions, each ended by a crash at a random
/// system call (with a random torn tail): after every recovery, each acknowledged job that was
/// not completed is present exactly once, and no job whose completion was acknowledged is back.
struct SpoolCrashLoopTests {
    private struct Ledger {
        var acknowledged: Set<TimeOrderedID> = []
        /// Completions confirmed durable.
        var completed: Set<TimeOrderedID> = []
        /// Completions asked for but not confirmed: the job may or may not be there.
        var maybeCompleted: Set<TimeOrderedID> = []
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func acknowledgedJobsSurviveEveryCrash(seed: UInt64) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var random = SeededGenerator(seed: seed)
        let fileSystem = FaultyFileSystem()
        let ledger = Mutex(Ledger())
        for round in 0..<15 {
            let spool = try Spool.open(
                stateDirectory: directory.path, options: testOptions(segmentSize: 16 << 10), logger: .discarding,
                fileSystem: fileSystem)
            try check(spool.liveJobs, against: ledger.withLock { $0 }, round: round)

            fileSystem.crash(atChange: Int.random(in: 1...120, using: &random), tearing: .random(seed: random.next()))
            let group = DispatchGroup()
            for step in 0..<150 {
                if fileSystem.crashed() { break }
                switch Int.random(in: 0..<10, using: &random) {
                case 0..<6:
                    let jobs = (0..<Int.random(in: 1...3, using: &random)).map { _ in makeJob(payloadBytes: 300) }
                    group.enter()
                    spool.add(jobs) { result in
                        if case .success = result { ledger.withLock { $0.acknowledged.formUnion(jobs.map(\.id)) } }
                        group.leave()
                    }
                case 6..<9:
                    let candidate = ledger.withLock { state in
                        state.acknowledged.subtracting(state.completed).subtracting(state.maybeCompleted).first
                    }
                    guard let id = candidate else { continue }
                    ledger.withLock { _ = $0.maybeCompleted.insert(id) }
                    group.enter()
                    spool.complete(id) { result in
                        if case .success = result {
                            ledger.withLock { state in
                                state.maybeCompleted.remove(id)
                                state.completed.insert(id)
                            }
                        }
                        group.leave()
                    }
                default:
                    if step % 3 == 0 { spool.compact() }
                }
                if step % 10 == 0 { group.wait() }
            }
            group.wait()
            if !fileSystem.crashed() { fileSystem.crash(tearing: .random(seed: random.next())) }
            spool.close()
            fileSystem.restart()
        }
        let spool = try Spool.open(
            stateDirectory: directory.path, options: testOptions(segmentSize: 16 << 10), logger: .discarding,
            fileSystem: fileSystem)
        defer { spool.close() }
        let final = ledger.withLock { $0 }
        try check(spool.liveJobs, against: final, round: 15)
        #expect(final.acknowledged.count > 100)
        for id in final.acknowledged.subtracting(final.completed).subtracting(final.maybeCompleted).prefix(20) {
            _ = try spool.job(id)
        }
    }

    private func check(_ live: [JobSummary], against ledger: Ledger, round: Int) throws {
        let ids = live.map(\.id)
        let present = Set(ids)
        #expect(present.count == ids.count, "duplicates after round \(round)")
        let expected = ledger.acknowledged.subtracting(ledger.completed).subtracting(ledger.maybeCompleted)
        let missing = expected.subtracting(present)
        #expect(missing.isEmpty, "round \(round): \(missing.count) acknowledged jobs lost")
        let resurrected = present.intersection(ledger.completed)
        #expect(resurrected.isEmpty, "round \(round): \(resurrected.count) completed jobs came back")
    }
}
