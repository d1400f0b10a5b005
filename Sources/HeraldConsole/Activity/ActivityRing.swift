import HeraldCore
import Synchronization

/// Events and deliveries per minute over the last hour, for the overview's chart: a ring of the
/// totals Herald's metrics already count, sampled every few seconds (the first sample of each
/// minute is kept). Nothing on the request path: the metrics' counters are read, not fed.
package final class ActivityRing: Sendable {
    /// Cumulative counts at one moment.
    package struct Totals: Sendable, Equatable {
        package var events: UInt64
        package var delivered: UInt64
        package var failed: UInt64

        package init(events: UInt64, delivered: UInt64, failed: UInt64) {
            self.events = events
            self.delivered = delivered
            self.failed = failed
        }
    }

    /// One minute of the chart.
    package struct Minute: Sendable, Equatable {
        /// Minutes since the epoch.
        package var minute: Int64
        package var events: Int
        package var delivered: Int
        package var failed: Int
    }

    package static let minutes = 60

    private let read: @Sendable () -> Totals
    /// The totals at the first sample of each minute, oldest first; at most `minutes + 1`.
    private let samples = Mutex<[(minute: Int64, totals: Totals)]>([])
    private let sampler = Mutex<Task<Void, Never>?>(nil)

    /// - Parameter read: the metrics' totals now; quick (atomic loads).
    package init(read: @escaping @Sendable () -> Totals) {
        self.read = read
    }

    /// Samples every 5 s until `stop()` (a sample is a few atomic loads: fine on shared threads).
    package func start() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                self?.sample()
                try? await Task.sleep(for: .seconds(5))
            }
        }
        sampler.withLock { $0 = task }
    }

    package func stop() {
        sampler.withLock {
            $0?.cancel()
            $0 = nil
        }
    }

    /// Records the totals if this minute has no sample yet.
    package func sample(now: WallClock = .now) {
        let minute = now.millisecondsSinceEpoch / 60_000
        let totals = read()
        samples.withLock { samples in
            guard samples.last?.minute != minute else { return }
            samples.append((minute, totals))
            if samples.count > Self.minutes + 1 { samples.removeFirst(samples.count - Self.minutes - 1) }
        }
    }

    /// The last hour, one entry per minute, oldest first; the last is the minute under way.
    /// A minute without samples around it counts 0.
    package func lastHour(now: WallClock = .now) -> [Minute] {
        sample(now: now)
        let current = read()
        let minute = now.millisecondsSinceEpoch / 60_000
        let known = samples.withLock { $0 }
        var byMinute: [Int64: Totals] = [:]
        for sample in known { byMinute[sample.minute] = sample.totals }
        return (minute - Int64(Self.minutes) + 1...minute).map { at in
            guard let start = byMinute[at] else { return Minute(minute: at, events: 0, delivered: 0, failed: 0) }
            let end = at == minute ? current : byMinute[at + 1]
            guard let end else { return Minute(minute: at, events: 0, delivered: 0, failed: 0) }
            return Minute(
                minute: at, events: Self.difference(end.events, start.events),
                delivered: Self.difference(end.delivered, start.delivered),
                failed: Self.difference(end.failed, start.failed))
        }
    }

    private static func difference(_ end: UInt64, _ start: UInt64) -> Int {
        end >= start ? Int(clamping: end - start) : 0
    }
}
