import Foundation
import Testing

@testable import HeraldDaemon

/// etc/grafana/herald-dashboard.json must only query metrics Herald exposes.
@Suite struct GrafanaDashboardTests {
    static let dashboard = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc/grafana/herald-dashboard.json")

    static func expressions() throws -> [String] {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: dashboard)) as? [String: Any]
        let panels = root?["panels"] as? [[String: Any]] ?? []
        return panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
    }

    @Test func queriesOnlyExposedMetrics() throws {
        let expressions = try Self.expressions()
        #expect(expressions.count >= 15)
        let exposition = HeraldMetrics().exposition()
        var used = Set<String>()
        for expression in expressions {
            for match in expression.matches(of: /herald_[a-z_]+/) {
                var name = String(match.output)
                for suffix in ["_bucket", "_sum", "_count"]
                where name.hasSuffix(suffix) && !exposition.contains("# TYPE \(name) ") {
                    name = String(name.dropLast(suffix.count))
                }
                #expect(exposition.contains("# TYPE \(name) "), "\(name) in \(expression) is not exposed")
                used.insert(name)
            }
        }
        // The dashboard covers what operators watch (design §9).
        for name in [
            "herald_events_received_total", "herald_http_responses_total", "herald_ack_latency_seconds",
            "herald_jobs_total", "herald_job_retries_total", "herald_dead_letters_total", "herald_spool_depth",
            "herald_spool_oldest_job_age_seconds", "herald_delivery_latency_seconds",
        ] {
            #expect(used.contains(name), "the dashboard does not show \(name)")
        }
    }

    @Test func panelsHaveUniqueIDsAndADataSource() throws {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dashboard)) as? [String: Any]
        let panels = try #require(root?["panels"] as? [[String: Any]])
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(ids.count == panels.count && Set(ids).count == ids.count)
        for panel in panels where panel["type"] as? String != "row" {
            #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == "${datasource}")
        }
    }
}
