import Foundation
import HeraldCore
import Synchronization
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
    /// An append into zeroed space writes its last page whole (the rest of it zeros), so that
    /// ext4 never reads a block the zeros wrote around the page cache before the append.
    @Test func appendsIntoZerosEndOnAPageBoundary() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let files = WriteRecordingFileSystem()
        let spool = try Spool.open(
            stateDirectory: directory.path, options: options(preallocation: 256 << 10), logger: .discarding,
            fileSystem: files)
        var jobs: [Job] = []
        for _ in 0..<40 {
            let job = makeJob(payloadBytes: 700)
            jobs.append(job)
            try await spool.add([job])
        }
        let recordsEnd = spool.statistics.bytesOnDisk
        spool.close()

        let appends = files.writes.filter { $0.count < 4096 || $0.offset % 4096 != 0 }
        let padded = appends.filter { ($0.offset + Int64($0.count)) % 4096 == 0 }
        #expect(appends.count >= 40)
        #expect(padded.count >= 30, "\(padded.count) of \(appends.count) appends ended on a page boundary")
        let bytes = try contents(try #require(directory.segments.first))
        #expect(bytes[Int(recordsEnd)...].allSatisfy { $0 == 0 })
        let reopened = try Spool.open(stateDirectory: directory.path, options: options(), logger: .discarding)
        defer { reopened.close() }
        #expect(reopened.liveJobs.map(\.id) == jobs.map(\.id))
        #expect(reopened.statistics.bytesOnDisk == recordsEnd)
        for job in jobs { #expect(try reopened.job(job.id).payload == job.payload) }
    }
}

/// The real file system, noting where each buffered write (not the zeros' direct writes) went.
private final class WriteRecordingFileSystem: SpoolFileSystem {
    private let real = RealFileSystem()
    private let state = Mutex<(direct: Set<Int32>, writes: [(offset: Int64, count: Int)])>(([], []))

    var writes: [(offset: Int64, count: Int)] { state.withLock { $0.writes } }

    func open(_ path: String, mode: SpoolOpenMode) throws(FileSystemError) -> Int32 {
        let descriptor = try real.open(path, mode: mode)
        state.withLock { state in
            if mode == .writeDirect { state.direct.insert(descriptor) } else { state.direct.remove(descriptor) }
        }
        return descriptor
    }
    func close(_ descriptor: Int32) { real.close(descriptor) }
    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int {
        state.withLock { if !$0.direct.contains(descriptor) { $0.writes.append((offset, bytes.count)) } }
        return try real.write(descriptor, bytes, at: offset)
    }
    func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64)
        throws(FileSystemError) -> Int
    { try real.read(descriptor, into: buffer, at: offset) }
    func synchronize(_ descriptor: Int32) throws(FileSystemError) { try real.synchronize(descriptor) }
    func synchronizeDirectory(_ path: String) throws(FileSystemError) { try real.synchronizeDirectory(path) }
    func truncate(_ descriptor: Int32, to length: Int64) throws(FileSystemError) { try real.truncate(descriptor, to: length) }
    func size(_ descriptor: Int32) throws(FileSystemError) -> Int64 { try real.size(descriptor) }
    func unlink(_ path: String) throws(FileSystemError) { try real.unlink(path) }
    func contents(ofDirectory path: String) throws(FileSystemError) -> [String] { try real.contents(ofDirectory: path) }
    func makeDirectory(_ path: String) throws(FileSystemError) { try real.makeDirectory(path) }
    func lock(_ descriptor: Int32) throws(FileSystemError) { try real.lock(descriptor) }
}
