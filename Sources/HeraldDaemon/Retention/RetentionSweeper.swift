import Dispatch
import FoundationEssentials
import Glibc
import HeraldConfig
import HeraldCore
import HeraldJobs
import Synchronization

/// Enforces `retention:` while the daemon runs: every `sweepInterval` it drops the dead letters
/// that died longer ago than `retention.dead_letters` and has each action that keeps files
/// (the outbox) remove those older than `retention.outbox`. Counted in
/// `herald_retention_removed_total`; one log line per sweep that removed something.
///
/// The store's operator calls block, so sweeps run on a thread of their own, never on Swift's
/// shared threads. Reads the running configuration at each sweep, so a reload's new periods apply.
final class RetentionSweeper<Store: JobStore>: Sendable {
    private let store: Store
    private let running: RunningConfiguration
    private let metrics: HeraldMetrics
    private let logger: Logger
    private let wakeup = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private let finished = Latch()

    init(store: Store, running: RunningConfiguration, metrics: HeraldMetrics, logger: Logger) {
        self.store = store
        self.running = running
        self.metrics = metrics
        self.logger = logger
    }

    /// Sweeps at once, then every interval, until `stop`.
    func run() async {
        NativeThread.start(named: "herald-retention") { [self] in
            while !stopping.load(ordering: .acquiring) {
                sweep()
                let interval = running.current.configuration.retention.sweepInterval
                _ = wakeup.wait(timeout: .now() + .milliseconds(Int(interval.saturatingMilliseconds)))
            }
            finished.open()
        }
        await finished.wait()
    }

    /// Ends the loop after the sweep under way (a sweep is bounded by what expired).
    func stop() {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
    }

    /// One pass: what expired, removed. Returns how many dead letters and files.
    @discardableResult
    func sweep() -> (deadLetters: Int, files: Int) {
        let configuration = running.current.configuration
        let retention = configuration.retention
        var deadLetters = 0
        var files = 0
        var failed = false
        do throws(JobStoreError) {
            let expired = try store.page(.dead, filter: JobFilter(olderThan: retention.deadLetters), limit: 0)
            for item in expired.items where !stopping.load(ordering: .acquiring) {
                do throws(JobStoreError) {
                    _ = try store.dropJob(item.id)
                    deadLetters += 1
                } catch  where error.kind == .notFound {
                    // Retried or dropped by an operator meanwhile.
                    continue
                }
            }
        } catch {
            failed = true
            logger.warning("retention could not remove expired dead letters", ["reason": .string(error.message)])
        }
        let cutoff = WallClock(
            millisecondsSinceEpoch: store.now.millisecondsSinceEpoch - retention.outbox.saturatingMilliseconds)
        for keeper in configuration.personalDataKeepers {
            do throws(KeptDataError) {
                files += try keeper.expire(before: cutoff)
            } catch {
                failed = true
                logger.warning(
                    "retention could not remove expired files",
                    ["action": .string(keeper.name), "reason": .string(error.description)])
            }
        }
        metrics.retentionRemoved["dead_letters"]?.increment(by: UInt64(deadLetters))
        metrics.retentionRemoved["outbox_files"]?.increment(by: UInt64(files))
        if failed { metrics.retentionRemoved["failures"]?.increment() }
        if deadLetters > 0 || files > 0 {
            logger.info(
                "retention removed what expired",
                [
                    "dead_letters": .int(deadLetters), "files": .int(files),
                    "dead_letters_after": .string(retention.deadLetters.compactDescription),
                    "outbox_after": .string(retention.outbox.compactDescription),
                ])
        }
        return (deadLetters, files)
    }
}
