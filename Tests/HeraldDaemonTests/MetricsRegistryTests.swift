import Testing

@testable import HeraldDaemon

@Suite struct MetricsRegistryTests {
    @Test func expositionIsExactForASmallRegistry() {
        let registry = MetricsRegistry()
        let requests = registry.counter("app_requests_total", help: "Requests, by method.", labels: ["method"])
        requests.counter("POST").increment(by: 3)
        requests.counter("GET").increment()
        let hidden = registry.counter(
            "app_hidden_total", help: "Shown once non-zero.", labels: ["code"], hidesZeroSeries: true)
        _ = hidden.counter("500")
        hidden.counter("404").increment()
        registry.gauge("app_info", help: "Build.", labels: ["version"]).gauge("1.2").set(1)
        registry.sampledGauge("app_depth", help: "Depth.") { 7 }
        registry.sampledGauge("app_unknown", help: "Sometimes unknown.") { nil }
        let latency = registry.histogram("app_latency_seconds", help: "Latency.", buckets: [0.001, 0.5, 2]).histogram()
        latency.observe(.microseconds(500))
        latency.observe(.milliseconds(1))  // on a bound: counted in it (le is inclusive)
        latency.observe(.milliseconds(250))
        latency.observe(.seconds(3))

        #expect(
            registry.exposition() == """
                # HELP app_requests_total Requests, by method.
                # TYPE app_requests_total counter
                app_requests_total{method="GET"} 1
                app_requests_total{method="POST"} 3
                # HELP app_hidden_total Shown once non-zero.
                # TYPE app_hidden_total counter
                app_hidden_total{code="404"} 1
                # HELP app_info Build.
                # TYPE app_info gauge
                app_info{version="1.2"} 1
                # HELP app_depth Depth.
                # TYPE app_depth gauge
                app_depth 7
                # HELP app_unknown Sometimes unknown.
                # TYPE app_unknown gauge
                # HELP app_latency_seconds Latency.
                # TYPE app_latency_seconds histogram
                app_latency_seconds_bucket{le="0.001"} 2
                app_latency_seconds_bucket{le="0.5"} 3
                app_latency_seconds_bucket{le="2"} 3
                app_latency_seconds_bucket{le="+Inf"} 4
                app_latency_seconds_sum 3.2515
                app_latency_seconds_count 4

                """)
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let registry = MetricsRegistry()
        registry.counter("x_total", help: "Back\\slash and\nnew line.", labels: ["v"]).counter("a\"b\\c\nd").increment()
        #expect(
            registry.exposition() == """
                # HELP x_total Back\\\\slash and\\nnew line.
                # TYPE x_total counter
                x_total{v="a\\"b\\\\c\\nd"} 1

                """)
    }

    @Test func numbersAreFormattedForPrometheus() {
        #expect(PrometheusText.format(1) == "1")
        #expect(PrometheusText.format(0.25) == "0.25")
        #expect(PrometheusText.format(0.0001) == "0.0001")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(-3) == "-3")
    }

    @Test func namesAreValidated() {
        #expect(PrometheusText.isValidName("herald_jobs_total"))
        #expect(PrometheusText.isValidName("a:b_c"))
        #expect(!PrometheusText.isValidName("9lives"))
        #expect(!PrometheusText.isValidName("with-dash"))
        #expect(!PrometheusText.isValidName(""))
        #expect(PrometheusText.isValidLabelName("status"))
        #expect(!PrometheusText.isValidLabelName("__name__"))
        #expect(!PrometheusText.isValidLabelName("a:b"))
    }

    @Test func seriesBeyondTheLimitAreCountedAsOther() {
        let registry = MetricsRegistry()
        let family = registry.counter("y_total", help: "Bounded.", labels: ["route"], maxSeries: 2)
        family.counter("a").increment()
        family.counter("b").increment()
        family.counter("c").increment()
        family.counter("d").increment()
        family.counter("a").increment()
        let lines = registry.exposition().split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == [#"y_total{route="a"} 2"#, #"y_total{route="b"} 1"#, #"y_total{route="other"} 2"#])
    }

    @Test func concurrentIncrementsAreAllCounted() async {
        let registry = MetricsRegistry()
        let family = registry.counter("z_total", help: "Concurrent.", labels: ["worker"])
        let histogram = registry.histogram("z_seconds", help: "Concurrent.", buckets: [0.001]).histogram()
        let shared = family.counter("shared")
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    // Resolving while others increment must hand out the same series.
                    let mine = family.counter("w\(worker % 2)")
                    for _ in 0..<10_000 {
                        shared.increment()
                        mine.increment()
                        histogram.observe(.microseconds(10))
                    }
                }
            }
        }
        #expect(shared.value == 80_000)
        #expect(family.counter("w0").value == 40_000)
        #expect(family.counter("w1").value == 40_000)
        #expect(histogram.count == 80_000)
        #expect(registry.exposition().contains("z_seconds_sum 0.8\n"))
    }
}
