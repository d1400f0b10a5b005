/// One counter series (a family with its label values resolved): resolve it once, then
/// `increment()` is a single relaxed atomic add.
package struct Counter: Sendable {
    let cells: AtomicCells

    /// Adds `amount` (default 1).
    @inline(__always)
    package func increment(by amount: UInt64 = 1) {
        cells.add(amount, at: 0)
    }

    /// The current value.
    package var value: UInt64 { cells.load(0) }
}

/// One gauge series that the program sets (for values sampled at scrape time, see
/// `MetricsRegistry.sampledGauge`).
package struct Gauge: Sendable {
    let cells: AtomicCells

    package func set(_ value: Double) {
        cells.store(value.bitPattern, at: 0)
    }

    package var value: Double { Double(bitPattern: cells.load(0)) }
}

/// One histogram series with fixed buckets. Observations are durations, kept as whole
/// nanoseconds so that the sum is an atomic integer too.
package struct Histogram: Sendable {
    let cells: AtomicCells
    /// Upper bounds in nanoseconds, ascending; the cell after the last bound is `+Inf`.
    let bounds: HistogramBounds

    /// Counts one observation.
    @inline(__always)
    package func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds =
            seconds < 0 ? 0 : UInt64(seconds) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
        let nanos = bounds.nanoseconds
        var index = 0
        while index < nanos.count && nanoseconds > nanos[index] { index += 1 }
        cells.add(1, at: index)
        cells.add(nanoseconds, at: nanos.count + 1)
    }

    /// Observations so far.
    package var count: UInt64 {
        var total: UInt64 = 0
        for index in 0...bounds.nanoseconds.count { total &+= cells.load(index) }
        return total
    }
}

/// The bucket upper bounds of a histogram family, in seconds (for the exposition) and in
/// nanoseconds (for observing).
struct HistogramBounds: Sendable {
    let seconds: [Double]
    let nanoseconds: [UInt64]

    init(seconds: [Double]) {
        precondition(
            !seconds.isEmpty && zip(seconds, seconds.dropFirst()).allSatisfy { $0 < $1 }, "buckets must ascend")
        self.seconds = seconds
        self.nanoseconds = seconds.map { UInt64(($0 * 1e9).rounded()) }
    }
}
