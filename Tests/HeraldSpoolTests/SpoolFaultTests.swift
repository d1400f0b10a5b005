import Foundation
import Glibc
import HeraldCore
import HeraldTestSupport
import Testing

@testable import HeraldSpool

/// Faults injected through the file-system seam: every failed append is reported as failed,
/// leaves the log consistent, and the spool recovers when the fault clears.
struct SpoolFaultTests {
    @Test func aShortWriteIsCompletedByTheNextWrite() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let spool = try Spool.open(
            stateDirectory: directory.path, options: testOptions(), logger: .discarding, fileSystem: fileSystem)
        fileSystem.failWrite(with: .short(10))
        let job = makeJob()
        try await spool.add([job])
        spool.close()
        let log = RecordingLogHandler()
        let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: log.logger)
        defer { reopened.close() }
        #expect(try reopened.job(job.id).payload == job.payload)
        #expect(log.all.filter { $0.level >= .warning }.isEmpty)
    }

    @Test func diskFullFailsAppendsUntilSpaceReturns() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let log = RecordingLogHandler()
        let spool = try Spool.open(
            stateDirectory: directory.path, options: testOptions(), logger: log.logger, fileSystem: fileSystem)
        let before = makeJob()
        try await spool.add([before])

        fileSystem.diskFull = true
        let refused = makeJob()
        await #expect {
            try await spool.add([refused])
        } throws: { error in
            (error as? SpoolError)?.isDiskFull == true
        }
        #expect(!spool.isWritable)
        #expect(spool.statistics.lastError?.isDiskFull == true)
        #expect(spool.liveJobs.map(\.id) == [before.id])
        // Still full: the next append fails too, without waiting.
        await #expect(throws: SpoolError.self) { try await spool.add([makeJob()]) }

        fileSystem.diskFull = false
        // Without any append, the writer finds out by itself that it can write again.
        #expect(await eventually { spool.isWritable })
        let after = makeJob()
        try await spool.add([after])
        #expect(spool.liveJobs.map(\.id) == [before.id, after.id])
        spool.close()

        let reopenLog = RecordingLogHandler()
        let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: reopenLog.logger)
        defer { reopened.close() }
        #expect(reopened.liveJobs.map(\.id) == [before.id, after.id])
        #expect(reopenLog.all.filter { $0.level >= .warning }.isEmpty)
    }

    @Test func anFsyncErrorFailsTheBatchAndTheNextBatchWorks() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let spool = try Spool.open(
            stateDirectory: directory.path, options: testOptions(), logger: .discarding, fileSystem: fileSystem)
        let segmentBefore = directory.segments.last
        fileSystem.failSync(with: EIO)
        let failed = makeJob()
        await #expect(throws: SpoolError.io(operation: "fdatasync", path: directory.segments.last ?? "", code: EIO)) {
            try await spool.add([failed])
        }
        #expect(spool.liveJobs.isEmpty)
        #expect(throws: SpoolError.notFound(failed.id)) { try spool.job(failed.id) }
        let next = makeJob()
        try await spool.add([next])
        // The page cache of the failed segment is not trusted: the next batch went to a new one.
        #expect(directory.segments.last != segmentBefore)
        spool.close()

        let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        defer { reopened.close() }
        #expect(reopened.liveJobs.map(\.id) == [next.id])
    }

    /// A crash after the write and before the fdatasync returns: the unsynced tail is dropped at
    /// recovery (and logged), every acknowledged job is there.
    @Test(arguments: [FaultyFileSystem.Tearing.all, .random(seed: 7), .random(seed: 8), .none])
    func aCrashBeforeFsyncLosesOnlyUnacknowledgedJobs(tearing: FaultyFileSystem.Tearing) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FaultyFileSystem()
        let spool = try Spool.open(
            stateDirectory: directory.path, options: testOptions(), logger: .discarding, fileSystem: fileSystem)
        let acknowledged = (0..<10).map { _ in makeJob() }
        try await spool.add(acknowledged)
        // The next change is the batch's write; the one after is its fdatasync: crash there.
        fileSystem.crash(atChange: 2, tearing: tearing)
        let lost = (0..<10).map { _ in makeJob(payloadBytes: 2000) }
        await #expect(throws: SpoolError.self) { try await spool.add(lost) }
        spool.close()
        fileSystem.restart()

        let log = RecordingLogHandler()
        let reopened = try Spool.open(
            stateDirectory: directory.path, options: testOptions(), logger: log.logger, fileSystem: fileSystem)
        defer { reopened.close() }
        let live = Set(reopened.liveJobs.map(\.id))
        #expect(live.isSuperset(of: acknowledged.map(\.id)))
        if case .random = tearing {
            #expect(!log.lines(containing: "torn tail").isEmpty || live.count > acknowledged.count)
            for line in log.lines(containing: "torn tail") { #expect(line.fields["bytes_dropped"] != nil) }
        }
        if case .none = tearing { #expect(live == Set(acknowledged.map(\.id))) }
        // And the spool goes on.
        try await reopened.add([makeJob()])
    }

    @Test func aCorruptByteInTheMiddleLosesOnlyItsRecord() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let jobs = (0..<20).map { _ in makeJob() }
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        for job in jobs { try await spool.add([job]) }
        spool.close()

        // Garble one byte inside the payload of the sixth record.
        let segment = try #require(directory.segments.first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        var offset = SegmentHeader.size
        for _ in 0..<5 {
            offset +=
                RecordEncoder.headerSize
                + Int(UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16)
        }
        bytes[offset + 60] ^= 0x55
        try Data(bytes).write(to: URL(fileURLWithPath: segment))

        let log = RecordingLogHandler()
        let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: log.logger)
        defer { reopened.close() }
        var expected = jobs.map(\.id)
        expected.remove(at: 5)
        #expect(reopened.liveJobs.map(\.id) == expected)
        let reports = log.lines(containing: "corrupt records in the middle")
        #expect(reports.count == 1)
        #expect(reports.first?.level == .error)
        #expect(reports.first?.fields["segment"] == segment)
        #expect(reports.first?.fields["offset"] == String(offset))
    }

    @Test func garbageAtTheEndOfTheLastSegmentIsTruncated() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let job = makeJob()
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        try await spool.add([job])
        spool.close()
        let segment = try #require(directory.segments.last)
        let cleanSize = try #require(try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data([0x20, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF, 1, 1, 2, 3]))
        handle.closeFile()

        let log = RecordingLogHandler()
        let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: log.logger)
        defer { reopened.close() }
        #expect(reopened.liveJobs.map(\.id) == [job.id])
        #expect(log.lines(containing: "torn tail").first?.fields["bytes_dropped"] == "12")
        #expect(try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int == cleanSize)
    }

    /// Random bytes in segment files, with and without a valid header, never crash recovery;
    /// the spool opens, writes and reopens.
    @Test(arguments: 0..<12)
    func garbageSegmentsNeverCrash(seed: UInt64) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.spool, withIntermediateDirectories: true)
        var random = SeededGenerator(seed: seed)
        for number in 1...3 {
            var bytes: [UInt8] = []
            if Bool.random(using: &random) { bytes = SegmentHeader.bytes(number: UInt32(number)) }
            let count = [0, 5, 100, 5000, 200_000].randomElement(using: &random)!
            for _ in 0..<count { bytes.append(UInt8.random(in: 0...255, using: &random)) }
            // Plausible frames too: small lengths and known types, wrong checksums.
            if Bool.random(using: &random) {
                for _ in 0..<200 {
                    let length = UInt32.random(in: 0...64, using: &random)
                    withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
                    for _ in 0..<4 { bytes.append(UInt8.random(in: 0...255, using: &random)) }
                    bytes.append(UInt8.random(in: 1...7, using: &random))
                    bytes.append(1)
                    for _ in 0..<max(0, Int(length) - 1) { bytes.append(UInt8.random(in: 0...255, using: &random)) }
                }
            }
            try Data(bytes).write(
                to: URL(fileURLWithPath: directory.spool + "/" + SegmentFile.name(of: UInt32(number))))
        }
        let spool = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        let job = makeJob()
        try await spool.add([job])
        #expect(spool.liveJobs.map(\.id).contains(job.id))
        spool.close()
        let reopened = try Spool.open(stateDirectory: directory.path, options: testOptions(), logger: .discarding)
        defer { reopened.close() }
        #expect(try reopened.job(job.id).id == job.id)
    }
}
