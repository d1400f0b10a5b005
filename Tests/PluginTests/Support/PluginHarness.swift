import ExecPlugin
import HeraldConfig
import HeraldCore
import HeraldTestSupport
import KratosPlugin
import MailchimpPlugin
import MandrillPlugin
import OutboxPlugin
import SmtpPlugin
import WebhookPlugin

/// Loads the `actions:` and `routes:` of a herald.yaml-shaped text the way the config loader
/// does: each action through its plugin's `makeAction`, each `do:` step through its action's
/// `compileStep`, templates checked against the route's events.
struct PluginHarness {
    static let plugins = PluginRegistry([
        MandrillPlugin.self, OutboxPlugin.self, KratosPlugin.self, MailchimpPlugin.self, WebhookPlugin.self,
        ExecPlugin.self, SmtpPlugin.self,
        RecordingPlugin.self,
        FailingPlugin.self,
    ])

    var actions: [String: any Action] = [:]
    /// The compiled steps, by route name, in order (nil for a step that did not compile).
    var steps: [String: [(any ActionStep)?]] = [:]
    var diagnostics: [ConfigDiagnostic] = []
    /// `line:column: message` of every warning.
    var warnings: [String] = []

    init(_ yaml: String, env: [String: String] = [:], baseDirectory: String = "/tmp", stateDirectory: String = "/tmp") {
        let collector = ConfigDiagnostics()
        let parsed = YAMLLoader().load(text: yaml, file: "herald.yaml", diagnostics: collector)
        let root = SecretResolver(environment: env).resolve(
            parsed ?? .scalar("", at: SourceLocation(file: "herald.yaml", line: 1, column: 1)), diagnostics: collector)
        for pair in root.mapping?.first(where: { $0.key.scalar?.text == "actions" })?.value.mapping ?? [] {
            let name = pair.key.scalar?.text ?? ""
            let kind = pair.value.mapping?.first { $0.key.scalar?.text == "plugin" }?.value.scalar?.text ?? ""
            guard let plugin = Self.plugins.plugin(kind: kind) else {
                collector.error("unknown plugin '\(kind)'", at: pair.value)
                continue
            }
            let definition = ActionDefinition(
                name: name, node: pair.value, diagnostics: collector, baseDirectory: baseDirectory,
                stateDirectory: stateDirectory)
            if let action = plugin.makeAction(definition) { actions[name] = action }
        }
        for route in root.mapping?.first(where: { $0.key.scalar?.text == "routes" })?.value.sequence ?? [] {
            let fields = route.mapping ?? []
            let name = fields.first { $0.key.scalar?.text == "name" }?.value.scalar?.text ?? "route"
            let events = (fields.first { $0.key.scalar?.text == "events" }?.value.sequence ?? []).compactMap {
                $0.scalar.flatMap { EventName($0.text) }
            }
            let templates = TemplateCompiler(events: events, diagnostics: collector)
            var compiled: [(any ActionStep)?] = []
            for (index, node) in (fields.first { $0.key.scalar?.text == "do" }?.value.sequence ?? []).enumerated() {
                let actionName = node.mapping?.first { $0.key.scalar?.text == "action" }?.value.scalar?.text ?? ""
                let step = StepDefinition(
                    route: name, index: index + 1, node: node, diagnostics: collector, templates: templates,
                    baseDirectory: baseDirectory)
                compiled.append(actions[actionName]?.compileStep(step))
            }
            steps[name] = compiled
        }
        diagnostics = collector.sorted
        warnings = collector.sortedWarnings.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    /// `line:column: message` of every diagnostic, for compact expectations.
    var messages: [String] { diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" } }

    /// The first step of `route`.
    func step(_ route: String = "r") -> (any ActionStep)? { steps[route]?.first ?? nil }

    /// Plans the first step of `route` for `event` and makes it a job.
    func job(_ route: String = "r", event: Event) -> Job? {
        guard let step = step(route) else { return nil }
        var report = RenderReport()
        return Job.testing(step.plan(event, report: &report), event: event, route: route, action: step.action)
    }
}
