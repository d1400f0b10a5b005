import Foundation
import HeraldCore
import HeraldSpool
import Synchronization

/// `herald-bench spool [directory]`: the spool's group commit and recovery, each next to a
/// reference measured in the same run on the same disk.
///
/// 1. The raw rate of `write` + `fdatasync` of 1 KB appends from one thread (what one fsync per
///    request would give).
/// 2. Appends of one ~1 KB job from 1, 8 and 32 threads, each waiting for its completion as a
///    request waits for its 202: appends/s, p50 and p99 latency.
/// 3. One million queued ~1 KB jobs: recovery (open) time and RSS, measured in a fresh process
///    (`herald-bench spool recover DIR`) so that the filling does not count.
func runSpoolBenchmark() throws {
    let arguments = Array(CommandLine.arguments.dropFirst(2))
    if arguments.first == "recover", arguments.count >= 2 {
        try measureRecovery(stateDirectory: arguments[1])
        return
    }
    let root = try makeBenchmarkDirectory(under: arguments.first ?? "/tmp")
    // SPOOL_BENCH_KEEP=1 keeps the directory, to profile `herald-bench spool recover DIR/million`.
    let keep = ProcessInfo.processInfo.environment["SPOOL_BENCH_KEEP"] == "1"
    defer { if !keep { try? FileManager.default.removeItem(atPath: root) } }
    report("spool benchmark in \(root)")

    let raw = rawFsyncRate(path: root + "/raw.bin", seconds: 3)
    report(String(format: "reference: write+fdatasync of 1 KB, 1 thread: %.0f/s (%.0f µs each)", raw, 1e6 / raw))

    for appenders in [1, 8, 32] {
        let directory = root + "/appenders-\(appenders)"
        let result = try measureAppends(stateDirectory: directory, appenders: appenders, seconds: 3)
        report(
            String(
                format: "spool: %2d appenders: %7.0f appends/s (%.1f× raw fsync rate), p50 %.0f µs, p99 %.0f µs, "
                    + "%.1f appends per fdatasync",
                appenders, result.rate, result.rate / raw, result.p50 * 1e6, result.p99 * 1e6, result.perSync))
        try? FileManager.default.removeItem(atPath: directory)
    }

    let jobs = Int(ProcessInfo.processInfo.environment["SPOOL_BENCH_JOBS"] ?? "") ?? 1_000_000
    let directory = root + "/million"
    let started = ContinuousClock.now
    try fill(stateDirectory: directory, jobs: jobs)
    let filled = ContinuousClock.now - started
    report("filled \(jobs) jobs of ~1 KB in \(format(filled)) (\(diskUse(directory + "/spool") >> 20) MiB on disk)")
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["spool", "recover", directory]
    try child.run()
    child.waitUntilExit()
}

private struct AppendFigures {
    var rate: Double
    var p50: Double
    var p99: Double
    var perSync: Double
}

private func makeBenchmarkDirectory(under parent: String) throws -> String {
    var template = Array((parent + "/herald-spool-bench-XXXXXX").utf8CString)
    guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw CocoaError(.fileWriteUnknown)
    }
    return String(cString: created)
}

private let benchmarkIDs = TimeOrderedIDGenerator()
/// A job as the Mandrill plugin performs it (what `plan` stores for a send-template step), so that
/// a daemon started on this spool attempts the jobs rather than dead-lettering them.
private let payload: JSON = [
    "endpoint": "messages/send-template",
    "request": [
        "template_name": "welcome",
        "message": [
            "to": [["email": "ada.lovelace@example.com", "name": "Ada Lovelace", "type": "to"]],
            "global_merge_vars": [
                ["name": "code", "content": .string(String(repeating: "7", count: 6))],
                [
                    "name": "link",
                    "content": .string(
                        "https://id.example.com/self-service/verification?flow=" + String(repeating: "a", count: 700)),
                ],
            ],
            "subject": "Welcome", "from_email": "noreply@example.com", "tags": ["registration"],
        ],
    ],
]

private func benchmarkJob(_ number: Int) -> Job {
    let now = WallClock.now
    return Job(
        id: benchmarkIDs.next(), eventID: benchmarkIDs.next(),
        eventName: EventName(flow: "registration", phase: "after"),
        route: "welcome", action: "mandrill", payload: payload, orderingKey: "user\(number)@example.com",
        createdAt: now,
        notBefore: now)
}

/// Appends of 1 KB, each followed by fdatasync, for `seconds`: the disk's own sync rate.
private func rawFsyncRate(path: String, seconds: Double) -> Double {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    defer { close(descriptor) }
    let block = [UInt8](repeating: 0x2A, count: 1024)
    let started = ContinuousClock.now
    var count = 0
    while (ContinuousClock.now - started).seconds < seconds {
        _ = block.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fdatasync(descriptor)
        count += 1
    }
    return Double(count) / (ContinuousClock.now - started).seconds
}

/// A file system that counts fdatasyncs (to show how many appends share one).
private final class CountingFileSystem: SpoolFileSystem {
    let real = RealFileSystem()
    let syncs = Atomic<Int>(0)
    func open(_ path: String, mode: SpoolOpenMode) throws(FileSystemError) -> Int32 { try real.open(path, mode: mode) }
    func close(_ descriptor: Int32) { real.close(descriptor) }
    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int {
        try real.write(descriptor, bytes, at: offset)
    }
    func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(FileSystemError)
        -> Int
    {
        try real.read(descriptor, into: buffer, at: offset)
    }
    func synchronize(_ descriptor: Int32) throws(FileSystemError) {
        syncs.add(1, ordering: .relaxed)
        try real.synchronize(descriptor)
    }
    func synchronizeDirectory(_ path: String) throws(FileSystemError) { try real.synchronizeDirectory(path) }
    func truncate(_ descriptor: Int32, to length: Int64) throws(FileSystemError) {
        try real.truncate(descriptor, to: length)
    }
    func size(_ descriptor: Int32) throws(FileSystemError) -> Int64 { try real.size(descriptor) }
    func unlink(_ path: String) throws(FileSystemError) { try real.unlink(path) }
    func contents(ofDirectory path: String) throws(FileSystemError) -> [String] { try real.contents(ofDirectory: path) }
    func makeDirectory(_ path: String) throws(FileSystemError) { try real.makeDirectory(path) }
    func lock(_ descriptor: Int32) throws(FileSystemError) { try real.lock(descriptor) }
}

private func measureAppends(stateDirectory: String, appenders: Int, seconds: Double) throws -> AppendFigures {
    let fileSystem = CountingFileSystem()
    let spool = try Spool.open(stateDirectory: stateDirectory, logger: .discarding, fileSystem: fileSystem)
    defer { spool.close() }
    let latencies = Mutex<[Double]>([])
    let failures = Atomic<Int>(0)
    let finished = DispatchGroup()
    let syncsBefore = fileSystem.syncs.load(ordering: .relaxed)
    let started = ContinuousClock.now
    for thread in 0..<appenders {
        finished.enter()
        let worker = Thread {
            var mine: [Double] = []
            let done = DispatchSemaphore(value: 0)
            var number = thread * 10_000_000
            while (ContinuousClock.now - started).seconds < seconds {
                let job = benchmarkJob(number)
                number += 1
                let begin = ContinuousClock.now
                spool.add([job]) { result in
                    if case .failure = result { failures.add(1, ordering: .relaxed) }
                    done.signal()
                }
                done.wait()
                mine.append((ContinuousClock.now - begin).seconds)
            }
            latencies.withLock { $0 += mine }
            finished.leave()
        }
        worker.start()
    }
    finished.wait()
    let elapsed = (ContinuousClock.now - started).seconds
    let syncs = fileSystem.syncs.load(ordering: .relaxed) - syncsBefore
    var all = latencies.withLock { $0 }
    all.sort()
    guard !all.isEmpty, failures.load(ordering: .relaxed) == 0 else { throw SpoolError.closed }
    return AppendFigures(
        rate: Double(all.count) / elapsed, p50: all[all.count / 2], p99: all[min(all.count - 1, all.count * 99 / 100)],
        perSync: Double(all.count) / Double(max(1, syncs)))
}

/// Adds `jobs` jobs in batches of 1,000, eight batches in flight.
private func fill(stateDirectory: String, jobs: Int) throws {
    var options = SpoolOptions()
    options.compactionInterval = nil
    let spool = try Spool.open(stateDirectory: stateDirectory, options: options, logger: .discarding)
    defer { spool.close() }
    let inFlight = DispatchSemaphore(value: 8)
    let failures = Atomic<Int>(0)
    var number = 0
    while number < jobs {
        let count = min(1000, jobs - number)
        let batch = (number..<number + count).map(benchmarkJob)
        number += count
        inFlight.wait()
        spool.add(batch) { result in
            if case .failure = result { failures.add(1, ordering: .relaxed) }
            inFlight.signal()
        }
    }
    for _ in 0..<8 { inFlight.wait() }
    // libdispatch traps when a semaphore is freed below its initial value.
    for _ in 0..<8 { inFlight.signal() }
    guard failures.load(ordering: .relaxed) == 0 else { throw SpoolError.closed }
}

/// Runs in a fresh process: opens the spool, reports time and memory.
private func measureRecovery(stateDirectory: String) throws {
    let before = residentBytes()
    let started = ContinuousClock.now
    var options = SpoolOptions()
    options.compactionInterval = nil
    let spool = try Spool.open(stateDirectory: stateDirectory, options: options, logger: .discarding)
    let recovery = ContinuousClock.now - started
    let after = residentBytes()
    let depth = spool.statistics.depth
    let listing = ContinuousClock.now
    spool.startScheduling()
    let listed = ContinuousClock.now - listing
    let live = spool.queuedIDs
    let withListing = residentBytes()
    let reading = ContinuousClock.now
    var read = 0
    for id in live.prefix(10_000) where (try? spool.job(id)) != nil { read += 1 }
    let readTime = ContinuousClock.now - reading
    report(
        "recovery of \(depth) jobs: \(format(recovery)); RSS \(before >> 20) MiB before open, \(after >> 20) MiB after")
    report(
        String(
            format: "index: %.0f bytes per queued job (RSS growth / jobs)",
            Double(after - before) / Double(max(1, depth))))
    report("ready queue (what the scheduler starts from): \(format(listed)), RSS then \(withListing >> 20) MiB")
    report(
        String(
            format: "job(id) with payload from disk: %.1f µs each (%d read)",
            readTime.seconds * 1e6 / Double(max(1, read)), read))
    spool.close()
}

private func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kilobytes * 1024
    }
    return 0
}

private func diskUse(_ directory: String) -> Int {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.reduce(0) { total, name in
        total + ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0)
    }
}

private func format(_ duration: Duration) -> String {
    String(format: "%.0f ms", duration.seconds * 1000)
}

/// Prints a line at once (the child process's lines must not wait in a buffer).
private func report(_ line: String) {
    print(line)
    fflush(nil)
}
