import Foundation
import HeraldConfig
import HeraldCore
import HeraldTestSupport
import Synchronization
import Testing

@testable import HeraldCommands

/// How `herald doctor` runs the actions' checks: in a stable order, a few at a time, each within
/// its time limit, with what the routes use of each action.
@Suite struct DoctorTests {
    /// Counts the checks running at once, the most seen, and the cancelled ones.
    final class Gauge: Sendable {
        let state = Mutex((running: 0, most: 0, cancelled: 0))

        func enter() {
            state.withLock {
                $0.running += 1; $0.most = max($0.most, $0.running)
            }
        }
        func leave(cancelled: Bool) {
            state.withLock {
                $0.running -= 1; $0.cancelled += cancelled ? 1 : 0
            }
        }
    }

    /// `plugin: diagnosing` with `delay_ms`: its checks take that long, then report one finding
    /// per route step that uses it, and the webhook events they were given.
    enum DiagnosingPlugin: ActionPlugin {
        static let kind = "diagnosing"
        static let summary = "reports scripted findings (tests)"
        @TaskLocal static var gauge = Gauge()

        static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
            guard let options = definition.options(keys: ["delay_ms"]) else { return nil }
            let delay = options.node("delay_ms")?.scalar.flatMap { Int($0.text) } ?? 0
            return DiagnosingAction(name: definition.name, delay: .milliseconds(delay), gauge: gauge)
        }
    }

    struct DiagnosingAction: DiagnosableAction {
        let name: String
        let kind = DiagnosingPlugin.kind
        let delay: Duration
        let gauge: Gauge
        var summary: String { "diagnosing" }

        func compileStep(_ step: StepDefinition) -> (any ActionStep)? { RecordingAction(name: name).compileStep(step) }
        func perform(_ job: Job, context: DeliveryContext) async -> Outcome { .delivered(detail: "") }

        func diagnose(_ context: DiagnosisContext) async -> [Finding] {
            gauge.enter()
            var cancelled = false
            do { try await Task.sleep(for: delay) } catch { cancelled = true }
            gauge.leave(cancelled: cancelled)
            let events = context.mandrillWebhook?.events.joined(separator: ",") ?? "-"
            return context.uses.map { Finding(.ok, "step of \($0.route)", "events \(events)") }
                + [Finding(.warn, "locales", context.locales.joined(separator: ","), fix: "none")]
        }
    }

    private func load(_ actions: String, routes: String, gauge: Gauge = Gauge()) throws -> HeraldConfiguration {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("herald.yaml").path
        let text = """
            listen: ["127.0.0.1:4470"]
            state_dir: state
            ingress:
              insecure_no_auth: true
              mandrill_webhooks: { url: "https://herald.example.com/v1/mandrill/events" }
            actions:
            \(actions)
            routes:
            \(routes)
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = DiagnosingPlugin.$gauge.withValue(gauge) {
            ConfigLoader(plugins: PluginRegistry([DiagnosingPlugin.self, RecordingPlugin.self])).load(path: path)
        }
        return try #require(result.configuration, "\(result.renderedDiagnostics)")
    }

    @Test func findingsComeByActionNameWithWhatTheRoutesUse() async throws {
        let configuration = try load(
            """
              b: { plugin: diagnosing }
              a: { plugin: diagnosing, delay_ms: 50 }
              rec: { plugin: recording }
            """,
            routes: """
                  - { name: welcome, events: [registration.after], do: [{action: a, to: x}, {action: b, to: y}] }
                  - { name: bounce, events: [mandrill.spam, mandrill.hard_bounce], do: [{action: a, to: x}] }
                """)
        let report = await Doctor.run(configuration, locales: ["en", "de"])
        #expect(
            report.render() == """
                ok   a: step of welcome: events hard_bounce,spam
                ok   a: step of bounce: events hard_bounce,spam
                warn a: locales: en,de — fix: none
                ok   b: step of welcome: events hard_bounce,spam
                warn b: locales: en,de — fix: none
                warn ingress: webhook https://herald.example.com/v1/mandrill/events: not checked: no mandrill action has a key to ask with — fix: check it under Mandrill → Settings → Webhooks
                no checks for: rec (recording)
                3 ok, 3 warnings, 0 failures

                """)
        #expect(!report.failed)
    }

    @Test func aFewActionsAtATime() async throws {
        let gauge = Gauge()
        let actions = (1...6).map { "  d\($0): { plugin: diagnosing, delay_ms: 30 }" }.joined(separator: "\n")
        let configuration = try load(
            actions, routes: "  - { name: r, events: [registration.after], do: [{action: d1, to: x}] }", gauge: gauge)
        let report = await Doctor.run(configuration, locales: [], concurrency: 2)
        #expect(report.entries.map(\.action) == ["d1", "d1", "d2", "d3", "d4", "d5", "d6", "ingress"])
        #expect(gauge.state.withLock { $0.most } == 2)
    }

    @Test func checksThatOutliveTheirTimeFailAndAreCancelled() async throws {
        let gauge = Gauge()
        let configuration = try load(
            "  slow: { plugin: diagnosing, delay_ms: 60000 }",
            routes: "  - { name: r, events: [registration.after], do: [{action: slow, to: x}] }", gauge: gauge)
        let report = await Doctor.run(configuration, locales: [], timeout: .milliseconds(100))
        #expect(
            report.entries.filter { $0.action == "slow" }.map(\.finding.description) == [
                "checks: did not finish within 100ms — fix: check that Herald reaches the service, then run herald "
                    + "doctor again"
            ])
        #expect(report.failed)
        #expect(gauge.state.withLock { $0.cancelled } == 1)
    }
}
