import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

@testable import HeraldDaemon

@Suite struct HeraldMetricsTests {
    /// The sample lines (no comments) of an exposition.
    static func samples(_ metrics: HeraldMetrics) -> [String] {
        metrics.exposition().split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    static func exercised() -> HeraldMetrics {
        let metrics = HeraldMetrics(version: "9.9.9")
        metrics.eventReceived(EventName(flow: "registration", phase: "after"))
        metrics.eventReceived(EventName(flow: "registration", phase: "after"))
        metrics.eventReceived(EventName(courierTemplate: "someone_elses_new_type"))
        metrics.eventRouted(EventName(flow: "registration", phase: "after"), routes: ["welcome", "audit"])
        metrics.eventRouted(EventName(flow: "login", phase: "after"), routes: [])
        metrics.eventAcknowledged(latency: .microseconds(700))
        metrics.httpResponse(status: 202)
        metrics.httpResponse(status: 202)
        metrics.httpResponse(status: 401)
        metrics.httpResponse(status: 9999)  // ignored, never a new series
        metrics.jobFinished(action: "mail", outcome: .delivered(detail: "id"), latency: .milliseconds(120))
        metrics.jobFinished(
            action: "mail", outcome: .retry(after: nil, reason: "429", ambiguous: false), latency: .seconds(1))
        metrics.jobRetried(action: "mail")
        metrics.jobFinished(action: "mail", outcome: .failed(reason: "rejected"), latency: .milliseconds(80))
        metrics.jobDeadLettered(action: "mail")
        metrics.configurationReloaded(applied: false)
        metrics.observeSpool { HeraldMetrics.SpoolReading(depth: 4, oldestJobAge: .seconds(90)) }
        return metrics
    }

    @Test func countsWhatHappens() {
        let samples = Self.samples(Self.exercised())
        for expected in [
            #"herald_build_info{version="9.9.9"} 1"#,
            #"herald_events_received_total{event="registration.after"} 2"#,
            #"herald_events_received_total{event="other"} 1"#,
            #"herald_events_unmatched_total{event="login.after"} 1"#,
            #"herald_routes_matched_total{route="audit"} 1"#,
            #"herald_routes_matched_total{route="welcome"} 1"#,
            #"herald_jobs_total{action="mail",outcome="delivered"} 1"#,
            #"herald_jobs_total{action="mail",outcome="retry"} 1"#,
            #"herald_jobs_total{action="mail",outcome="retry_ambiguous"} 0"#,
            #"herald_jobs_total{action="mail",outcome="failed"} 1"#,
            #"herald_job_retries_total{action="mail"} 1"#,
            #"herald_dead_letters_total{action="mail"} 1"#,
            "herald_spool_depth 4",
            "herald_spool_oldest_job_age_seconds 90",
            #"herald_ack_latency_seconds_bucket{le="0.0005"} 0"#,
            #"herald_ack_latency_seconds_bucket{le="0.001"} 1"#,
            "herald_ack_latency_seconds_count 1",
            #"herald_delivery_latency_seconds_bucket{action="mail",le="0.1"} 1"#,
            #"herald_delivery_latency_seconds_count{action="mail"} 3"#,
            #"herald_http_responses_total{status="202"} 2"#,
            #"herald_http_responses_total{status="401"} 1"#,
            #"herald_config_reloads_total{result="refused"} 1"#,
            #"herald_config_reloads_total{result="applied"} 0"#,
        ] {
            #expect(samples.contains(expected), "missing \(expected)")
        }
        // Zero series of large vocabularies stay out; unknown names never become labels.
        #expect(!samples.contains { $0.contains(#"status="200""#) })
        #expect(!samples.contains { $0.contains("someone_elses_new_type") })
        #expect(!samples.contains { $0.contains("9999") })
    }

    @Test func everyFamilyHasHelpAndType() {
        let text = HeraldMetrics().exposition()
        for family in [
            "herald_events_received_total", "herald_routes_matched_total", "herald_jobs_total",
            "herald_job_retries_total", "herald_dead_letters_total", "herald_spool_depth",
            "herald_spool_oldest_job_age_seconds", "herald_ack_latency_seconds", "herald_delivery_latency_seconds",
            "herald_http_responses_total", "herald_build_info",
        ] {
            #expect(text.contains("# HELP \(family) "), "no HELP for \(family)")
            #expect(text.contains("# TYPE \(family) "), "no TYPE for \(family)")
        }
    }

    @Test(.enabled(if: Promtool.path != nil, "promtool is not installed: run scripts/setup --ops"))
    func promtoolAcceptsTheExposition() throws {
        let result = try Promtool.checkMetrics(Self.exercised().exposition())
        #expect(result.status == 0, "promtool check metrics: \(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool: \(result.output)")
    }
}

/// `promtool check metrics`, from Debian's `prometheus` package.
enum Promtool {
    static let path: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func checkMetrics(_ text: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "promtool")
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
