import Glibc
import HeraldCore
import HeraldFuzzSupport
import HeraldSpool

/// fuzz-spool: the spool's record decoding and recovery from arbitrary segment bytes.
///
/// Input: byte 0 is the mode — bit 0: put a valid segment header in front; bit 1: rewrite every
/// frame's checksum (so fuzzed payloads reach the decoders instead of failing the CRC); bit 2:
/// also open a spool directory holding the segment. The rest is the segment.
///
/// Checked, in memory: the header, the valid frames, the damaged ranges and a tail of zeros (space
/// zeroed ahead of the appends) tile the file in order with nothing left over, and decoding any
/// frame never crashes. With bit 2, in a scratch state
/// directory on /dev/shm: a read-only `SpoolSnapshot`, a writable `Spool.open` (which truncates a
/// torn tail) and a snapshot after closing it all see the same queued jobs and dead letters, and
/// reading each of them never crashes.
@_cdecl("fuzz_spool_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    setUp()
    return runFuzzer(argc: argc, argv: argv, fuzzOne)
}

nonisolated(unsafe) var stateDirectory = ""

func setUp() {
    var template = Array("/dev/shm/herald-fuzz-spool-XXXXXX".utf8CString)
    if access("/dev/shm", W_OK) != 0 { template = Array("/tmp/herald-fuzz-spool-XXXXXX".utf8CString) }
    guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        writeToStandardError("mkdtemp failed\n")
        exit(2)
    }
    stateDirectory = String(cString: created)
    onFuzzExit {
        let command = "rm -rf '\(stateDirectory)'"
        _ = system(command)
    }
}

let options: SpoolOptions = {
    var options = SpoolOptions()
    options.compactionInterval = nil
    options.lockWait = .milliseconds(10)
    options.segmentSize = 4096
    return options
}()

func fuzzOne(_ data: [UInt8]) {
    var input = FuzzInput(data)
    let mode = input.byte()
    var segment = input.rest()
    if mode & 1 == 1 { segment = SegmentInspection.header(number: 1) + segment }
    if mode & 2 == 2 { segment = SegmentInspection.sealingFrames(segment) }

    let inspection = SegmentInspection(segment: segment)
    if inspection.headerProblem == nil {
        var offset = SegmentInspection.headerSize
        var frames = inspection.frames[...]
        var damage = inspection.damage[...]
        while offset < segment.count {
            if let frame = frames.first, frame.offset == offset {
                fuzzCheck(frame.length >= SegmentInspection.frameHeaderSize, "frame of \(frame.length) bytes")
                offset += frame.length
                frames = frames.dropFirst()
            } else if let range = damage.first, range.offset == offset {
                fuzzCheck(range.end > range.offset && range.end <= segment.count, "damage \(range)")
                offset = range.end
                damage = damage.dropFirst()
            } else if inspection.zerosFrom == offset {
                // Zeros written ahead of the appends: only zeros, and only at the end.
                fuzzCheck(segment[offset...].allSatisfy { $0 == 0 }, "a zero tail with other bytes: \(inspection)")
                offset = segment.count
            } else {
                fuzzCheck(false, "nothing accounts for offset \(offset): \(inspection)")
            }
        }
        fuzzCheck(offset == segment.count, "frames run past the end: \(offset) of \(segment.count)")
        fuzzCheck(frames.isEmpty && damage.isEmpty, "frames or damage left over: \(inspection)")
        fuzzCheck(inspection.damage.dropLast().allSatisfy { !$0.tornTail }, "a torn tail before the end")
    }
    if mode & 4 == 4 { checkRecovery(segment) }
}

func checkRecovery(_ segment: [UInt8]) {
    let spoolDirectory = stateDirectory + "/spool"
    mkdir(spoolDirectory, 0o755)
    removeSegments(spoolDirectory)
    let path = spoolDirectory + "/" + SegmentInspection.fileName(number: 1)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    fuzzCheck(descriptor >= 0, "cannot write \(path)")
    segment.withUnsafeBytes { _ = write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)

    let before: SpoolSnapshot
    let spool: Spool
    do {
        before = try SpoolSnapshot.open(stateDirectory: stateDirectory, options: options)
        spool = try Spool.open(stateDirectory: stateDirectory, options: options, logger: .discarding)
    } catch {
        fuzzCheck(false, "the spool does not open: \(error)")
        return
    }
    let live = spool.liveJobs.map(\.id)
    let dead = spool.deadLetters.map(\.id)
    for id in live { _ = try? spool.job(id) }
    for id in dead { _ = try? spool.deadLetter(id) }
    spool.close()
    fuzzCheck(before.liveJobs.map(\.id) == live, "the read-only snapshot sees other jobs than the spool")
    fuzzCheck(before.deadLetters.map(\.id) == dead, "the read-only snapshot sees other dead letters")
    do {
        let after = try SpoolSnapshot.open(stateDirectory: stateDirectory, options: options)
        fuzzCheck(after.liveJobs.map(\.id) == live, "after recovery and reopening, other jobs")
        fuzzCheck(after.deadLetters.map(\.id) == dead, "after recovery and reopening, other dead letters")
        for id in live { _ = try? after.job(id) }
    } catch {
        fuzzCheck(false, "the spool does not reopen: \(error)")
    }
}

/// Deletes the segment files a previous input left (the lock file stays).
func removeSegments(_ directory: String) {
    guard let handle = opendir(directory) else { return }
    defer { closedir(handle) }
    while let entry = readdir(handle) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name.hasPrefix("segment-") { unlink(directory + "/" + name) }
    }
}
