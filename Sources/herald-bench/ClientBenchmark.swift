import Foundation
import HeraldHTTPClient

/// `herald-bench client URL [in-flight] [seconds] [body.json]`: Herald's own `HTTPClient` (the
/// libcurl driver's thread, a continuation per call, Swift's pool) from N tasks, each POSTing again
/// as soon as its answer is in. Beside `herald-bench curl` (the same calls from a bare loop on one
/// thread) it shows what the client and the hand-offs cost, apart from everything else a
/// delivery does (the spool, the plugin, the log line).
func runClientBenchmark() throws {
    let arguments = try ReferenceArguments(benchmark: "client")
    let (url, inFlight, seconds, body) = (arguments.url, arguments.inFlight, arguments.seconds, arguments.body)
    let client = HTTPClient(HTTPClient.Configuration(timeout: .seconds(10)))
    let request = HTTPClientRequest("POST", url, headers: [("Content-Type", "application/json")], body: body)
    let started = ContinuousClock.now
    let deadline = started + .seconds(seconds)
    let cpuBefore = processCPUSeconds()
    let counts = blockingRun {
        await withTaskGroup(of: (ok: Int, failed: Int).self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    var ok = 0
                    var failed = 0
                    while ContinuousClock.now < deadline {
                        if let answer = try? await client.send(request, timeout: .seconds(10)), answer.status == 200 {
                            ok += 1
                        } else {
                            failed += 1
                        }
                    }
                    return (ok, failed)
                }
            }
            var total = (ok: 0, failed: 0)
            for await counts in group {
                total.ok += counts.ok
                total.failed += counts.failed
            }
            return total
        }
    }
    let elapsed = (ContinuousClock.now - started).seconds
    let cpu = processCPUSeconds() - cpuBefore
    print(
        String(
            format:
                "herald's HTTPClient, %d in flight, %.0f s: %.0f requests/s (%d ok, %d failed); CPU %.0f µs per call",
            inFlight, elapsed, Double(counts.ok) / elapsed, counts.ok, counts.failed,
            1e6 * cpu / Double(max(1, counts.ok + counts.failed))))
}

/// Runs `operation` on Swift's pool and waits for it on this (the main) thread.
private func blockingRun<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let result = LockedBox<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        result.value = await operation()
        done.signal()
    }
    done.wait()
    return result.value!
}

private final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// User and system CPU time of this process so far.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
