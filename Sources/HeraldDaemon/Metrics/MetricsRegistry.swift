import Synchronization

/// Metric families and their exposition in the Prometheus text format 0.0.4.
///
/// Built explicitly and passed down (never a global). Families are made at start; series are
/// resolved to handles once (`counter("registration.after")`), after which updating them is a
/// relaxed atomic add, safe from any thread.
///
/// ```swift
/// let registry = MetricsRegistry()
/// let answers = registry.counter("http_responses_total", help: "Answers.", labels: ["status"])
/// let ok = answers.counter("200")
/// ok.increment()
/// let text = registry.exposition()   // # HELP http_responses_total Answers. …
/// ```
package final class MetricsRegistry: Sendable {
    private enum Entry: Sendable {
        case family(MetricFamily)
        case sampled(name: String, help: String, sample: @Sendable () -> Double?)

        var name: String {
            switch self {
            case .family(let family): family.name
            case .sampled(let name, _, _): name
            }
        }
    }

    /// `Content-Type` of `exposition()`.
    package static let contentType = PrometheusText.contentType

    private let entries = Mutex<[Entry]>([])

    package init() {}

    /// Adds a counter family. Names of counters end in `_total`.
    ///
    /// - Parameters:
    ///   - labels: label names; every series gives one value for each.
    ///   - hidesZeroSeries: leave series out of the exposition until they count something.
    ///   - maxSeries: past this many series, new label values are counted as `other`.
    package func counter(
        _ name: String, help: String, labels: [String] = [], hidesZeroSeries: Bool = false, maxSeries: Int = 1000
    ) -> CounterFamily {
        CounterFamily(family: add(name, help, labels, .counter, hidesZeroSeries, maxSeries))
    }

    /// Adds a gauge family whose series the program sets.
    package func gauge(_ name: String, help: String, labels: [String] = []) -> GaugeFamily {
        GaugeFamily(family: add(name, help, labels, .gauge, false, 1000))
    }

    /// Adds a histogram family with `buckets` (upper bounds in seconds, ascending; `+Inf` is
    /// added). Observations are durations.
    package func histogram(
        _ name: String, help: String, labels: [String] = [], buckets: [Double], maxSeries: Int = 1000
    ) -> HistogramFamily {
        let bounds = HistogramBounds(seconds: buckets)
        return HistogramFamily(family: add(name, help, labels, .histogram(bounds), false, maxSeries), bounds: bounds)
    }

    /// Adds an unlabelled gauge read when the registry is scraped (for example the spool depth).
    /// `sample` runs on the scraping thread: it must be quick and never block; nil leaves the
    /// sample out.
    package func sampledGauge(_ name: String, help: String, sample: @escaping @Sendable () -> Double?) {
        precondition(PrometheusText.isValidName(name), "invalid metric name \(name)")
        insert(.sampled(name: name, help: help, sample: sample))
    }

    private func add(
        _ name: String, _ help: String, _ labels: [String], _ kind: MetricFamily.Kind, _ hides: Bool, _ max: Int
    ) -> MetricFamily {
        let family = MetricFamily(
            name: name, help: help, labelNames: labels, kind: kind, hidesZeroSeries: hides, maxSeries: max)
        insert(.family(family))
        return family
    }

    private func insert(_ entry: Entry) {
        entries.withLock { entries in
            precondition(!entries.contains { $0.name == entry.name }, "metric \(entry.name) is registered twice")
            entries.append(entry)
        }
    }

    /// Every family in registration order, as Prometheus text exposition format 0.0.4.
    package func exposition() -> String {
        var text = ""
        text.reserveCapacity(8192)
        for entry in entries.withLock({ $0 }) {
            switch entry {
            case .family(let family): write(family, into: &text)
            case .sampled(let name, let help, let sample):
                header(name, help, "gauge", into: &text)
                if let value = sample() { text += "\(name) \(PrometheusText.format(value))\n" }
            }
        }
        return text
    }

    private func header(_ name: String, _ help: String, _ type: String, into text: inout String) {
        text += "# HELP \(name) \(PrometheusText.escapeHelp(help))\n# TYPE \(name) \(type)\n"
    }

    private func write(_ family: MetricFamily, into text: inout String) {
        header(family.name, family.help, family.kind.typeName, into: &text)
        let names = family.labelNames
        for (values, cells) in family.snapshot() {
            switch family.kind {
            case .counter:
                let value = cells.load(0)
                if family.hidesZeroSeries && value == 0 { continue }
                text += "\(family.name)\(PrometheusText.labels(names, values)) \(value)\n"
            case .gauge:
                let value = Double(bitPattern: cells.load(0))
                text += "\(family.name)\(PrometheusText.labels(names, values)) \(PrometheusText.format(value))\n"
            case .histogram(let bounds):
                var cumulative: UInt64 = 0
                for index in 0...bounds.seconds.count {
                    cumulative &+= cells.load(index)
                    let le = index < bounds.seconds.count ? PrometheusText.format(bounds.seconds[index]) : "+Inf"
                    text +=
                        "\(family.name)_bucket\(PrometheusText.labels(names, values, extra: ("le", le))) \(cumulative)\n"
                }
                let sum = Double(cells.load(bounds.seconds.count + 1)) / 1e9
                let labels = PrometheusText.labels(names, values)
                text += "\(family.name)_sum\(labels) \(PrometheusText.format(sum))\n"
                text += "\(family.name)_count\(labels) \(cumulative)\n"
            }
        }
    }
}
