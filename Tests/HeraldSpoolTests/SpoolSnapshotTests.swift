import Foundation
import HeraldCore
import Testing

@testable import HeraldSpool

struct SpoolSnapshotTests {
    @Test func aReadOnlyViewIgnoresATornTailAndChangesNothing() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        defer { spool.close() }
        let jobs = (0..<5).map { _ in makeJob() }
        try await spool.add(jobs)
        spool.kill(jobs[4].id, reason: "rejected", attempts: 1, lastAnswer: "no")
        try await spool.flush()

        // Half a record, as while the writer is in the middle of a batch.
        let segment = try #require(directory.segments.last)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data(EncodedRecord.jobAdded(makeJob()).frame.prefix(40)))
        handle.closeFile()
        let size = try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int

        let snapshot = try SpoolSnapshot.open(stateDirectory: directory.path)
        #expect(snapshot.liveJobs.map(\.id) == Array(jobs.prefix(4)).map(\.id))
        #expect(try snapshot.job(jobs[2].id).payload == jobs[2].payload)
        #expect(snapshot.deadLetters.map(\.reason) == ["rejected"])
        #expect(try snapshot.deadLetter(jobs[4].id).lastAnswer == "no")
        #expect(snapshot.statistics.depth == 4)
        #expect(try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int == size)
    }

    @Test func aSecondWriterIsRefused() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        #expect(throws: SpoolError.locked(path: directory.spool + "/LOCK")) {
            try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        }
        #expect(SpoolError.locked(path: "x").description.contains("another herald is using this state_dir"))
        spool.close()
        // Once the first has closed, the lock is free.
        let second = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        second.close()
    }
}
