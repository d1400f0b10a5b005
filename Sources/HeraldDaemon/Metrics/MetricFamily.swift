import Synchronization

/// A named metric with a fixed list of label names, and its series: one per set of label values,
/// made on first use and kept for the life of the registry. Resolving a series takes a lock and a
/// dictionary lookup, so callers resolve once and keep the handle (`Counter`, `Histogram`, `Gauge`).
final class MetricFamily: Sendable {
    enum Kind: Sendable {
        case counter
        case gauge
        case histogram(HistogramBounds)

        var typeName: String {
            switch self {
            case .counter: "counter"
            case .gauge: "gauge"
            case .histogram: "histogram"
            }
        }
    }

    let name: String
    let help: String
    let labelNames: [String]
    let kind: Kind
    /// Leave series out of the exposition while they are zero (families whose label values come
    /// from a large fixed vocabulary, such as status codes, are made in advance this way).
    let hidesZeroSeries: Bool
    /// Past this many series, new label values share one series whose values are all `other`, so
    /// that no input can grow the exposition without bound.
    let maxSeries: Int
    private let series = Mutex<[[String]: AtomicCells]>([:])

    init(name: String, help: String, labelNames: [String], kind: Kind, hidesZeroSeries: Bool, maxSeries: Int) {
        precondition(PrometheusText.isValidName(name), "invalid metric name \(name)")
        precondition(labelNames.allSatisfy(PrometheusText.isValidLabelName), "invalid label name in \(labelNames)")
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.kind = kind
        self.hidesZeroSeries = hidesZeroSeries
        self.maxSeries = maxSeries
    }

    /// The cells of the series with `values` (one per label name), made if new.
    func cells(for values: [String]) -> AtomicCells {
        precondition(values.count == labelNames.count, "\(name) takes \(labelNames.count) label values")
        return series.withLock { series in
            if let cells = series[values] { return cells }
            var key = values
            if series.count >= maxSeries {
                key = values.map { _ in "other" }
                if let cells = series[key] { return cells }
            }
            let cells = AtomicCells(count: cellCount)
            series[key] = cells
            return cells
        }
    }

    private var cellCount: Int {
        switch kind {
        case .counter, .gauge: 1
        case .histogram(let bounds): bounds.nanoseconds.count + 2  // buckets, +Inf, sum
        }
    }

    /// The series, sorted by label values for a stable exposition.
    func snapshot() -> [(values: [String], cells: AtomicCells)] {
        let all = series.withLock { series in series.map { (values: $0.key, cells: $0.value) } }
        return all.sorted { $0.values.lexicographicallyPrecedes($1.values) }
    }
}

/// A counter family; `counter(_:)` resolves label values to a cheap handle.
package struct CounterFamily: Sendable {
    let family: MetricFamily

    /// The series for `values`, one per label name, in order.
    package func counter(_ values: String...) -> Counter { Counter(cells: family.cells(for: values)) }

    /// The series for `values`, one per label name, in order.
    package func counter(labels values: [String]) -> Counter { Counter(cells: family.cells(for: values)) }
}

/// A gauge family whose series the program sets.
package struct GaugeFamily: Sendable {
    let family: MetricFamily

    package func gauge(_ values: String...) -> Gauge { Gauge(cells: family.cells(for: values)) }
}

/// A histogram family with fixed buckets.
package struct HistogramFamily: Sendable {
    let family: MetricFamily
    let bounds: HistogramBounds

    package func histogram(_ values: String...) -> Histogram {
        Histogram(cells: family.cells(for: values), bounds: bounds)
    }
}
