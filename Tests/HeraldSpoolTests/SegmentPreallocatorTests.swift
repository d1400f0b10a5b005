import Foundation
import HeraldCore
import Testing

@testable import HeraldSpool

/// Zeros written ahead of the active segment's end (`SpoolOptions.preallocation`): appends land
/// in them, recovery reads them as the end of the records, and a sealed segment loses them.
@Suite struct SegmentPreallocatorTests {
    private func options(segmentSize: Int = 64 << 20, preallocation: Int = 16 << 10) -> SpoolOptions {
        var options = testOptions(segmentSize: segmentSize)
        options.preallocation = preallocation
        return options
    }

    private func contents(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func appendsLandInZerosThatRecoveryReadsAsTheEnd() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = (0..<20).map { _ in makeJob() }
        let spool = try Spool.open(stateDirectory: directory.path, options: options(), logger: .discarding)
        try await spool.add(Array(first[..<10]))
        try await spool.add(Array(first[10...]))
        let recordsEnd = spool.statistics.bytesOnDisk
        spool.close()  // waits for the zeroing in progress

        let segment = try #require(directory.segments.first)
        let bytes = try contents(segment)
        #expect(Int64(bytes.count) > recordsEnd)
        #expect(bytes[Int(recordsEnd)...].allSatisfy { $0 == 0 })

        let log = RecordingLogHandler()
        let reopened = try Spool.open(stateDirectory: directory.path, options: options(), logger: log.logger)
        #expect(reopened.liveJobs.map(\.id) == first.map(\.id))
        #expect(reopened.statistics.bytesOnDisk == recordsEnd)
        #expect(log.all.filter { $0.level >= .warning }.isEmpty, "a zero tail is not damage")
        let second = (0..<5).map { _ in makeJob() }
        try await reopened.add(second)
        reopened.close()

        let again = try Spool.open(stateDirectory: directory.path, options: options(), logger: .discarding)
        defer { again.close() }
        #expect(again.liveJobs.map(\.id) == (first + second).map(\.id))
        #expect(directory.segments.count == 1, "appends went on in the same segment, over the zeros")
        for job in first + second { #expect(try again.job(job.id).payload == job.payload) }
    }

    @Test func aSealedSegmentIsCutToItsRecords() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let spool = try Spool.open(
            stateDirectory: directory.path, options: options(segmentSize: 8 << 10, preallocation: 4 << 10),
            logger: .discarding)
        var jobs: [Job] = []
        for _ in 0..<40 {
            let job = makeJob(payloadBytes: 400)
            jobs.append(job)
            try await spool.add([job])
        }
        spool.close()
        let segments = directory.segments
        #expect(segments.count > 2)
        for segment in segments.dropLast() {
            let bytes = try contents(segment)
            let (damage, end) = bytes.withUnsafeBytes { raw in
                var scanner = SegmentScanner(bytes: raw, maxRecordBytes: SpoolOptions.recordLimit)
                return (scanner.scan { _, _, _, _ in }, scanner.end)
            }
            #expect(damage.isEmpty)
            #expect(end == bytes.count, "\(segment) ends with its last record, not zeros")
        }
        let reopened = try Spool.open(
            stateDirectory: directory.path, options: options(segmentSize: 8 << 10, preallocation: 4 << 10),
            logger: .discarding)
        defer { reopened.close() }
        #expect(reopened.liveJobs.map(\.id) == jobs.map(\.id))
    }

    /// A write torn by a crash leaves part of a record before the zeros: still a torn tail,
    /// truncated, and the records before it are kept.
    @Test func aTornRecordBeforeTheZerosIsStillATornTail() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let jobs = (0..<5).map { _ in makeJob() }
        let spool = try Spool.open(stateDirectory: directory.path, options: options(), logger: .discarding)
        try await spool.add(jobs)
        let recordsEnd = spool.statistics.bytesOnDisk
        spool.close()
        let segment = try #require(directory.segments.first)
        let handle = try #require(FileHandle(forUpdatingAtPath: segment))
        try handle.seek(toOffset: UInt64(recordsEnd))
        try handle.write(contentsOf: Data([0x40, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x01, 0x42]))
        try handle.close()

        let log = RecordingLogHandler()
        let reopened = try Spool.open(stateDirectory: directory.path, options: options(), logger: log.logger)
        defer { reopened.close() }
        #expect(reopened.liveJobs.map(\.id) == jobs.map(\.id))
        #expect(!log.lines(containing: "torn tail").isEmpty)
        #expect(reopened.statistics.bytesOnDisk == recordsEnd)
    }
}
