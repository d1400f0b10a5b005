import Foundation
import HeraldConfig
import HeraldCore

/// Builds events from the reference payloads and config nodes from YAML text.
enum Fixtures {
    static func payload(_ file: String) throws -> JSONDocument {
        try JSONDocument(parsing: JSONFixtures.payloadBytes(file))
    }

    /// The method list of the generated Kratos config that calls with these payloads, for the
    /// payloads whose body does not say it (Kratos leaves `flow.active` empty there).
    static let hookMethods = [
        "registration-after.json": "password", "registration-after-prepersist.json": "password",
        "settings-after.json": "profile",
    ]

    /// The event `name` with the body of `file` (a name in `kratos-payloads/`), as the hook of
    /// `hookMethod`'s list sends it (by default the list that sends this payload).
    static func event(
        _ file: String, as name: String, triggerID: String? = nil, hookMethod: String?? = .none
    ) throws -> Event {
        let document = try payload(file)
        return try event(
            document.root, as: name, triggerID: triggerID, hookMethod: hookMethod ?? hookMethods[file])
    }

    static func event(json: String, as name: String) throws -> Event {
        try event(JSONDocument(parsing: json).root, as: name)
    }

    static func event(
        _ payload: JSONValue, as name: String, triggerID: String? = nil, hookMethod: String? = nil
    ) throws -> Event {
        guard let eventName = EventName(name) else { throw FixtureError("bad event name \(name)") }
        return Event(
            id: TimeOrderedIDGenerator().next(), name: eventName,
            receivedAt: WallClock(millisecondsSinceEpoch: 1_780_000_000_000), triggerID: triggerID, payload: payload,
            hookMethod: hookMethod)
    }

    /// Parses YAML text as `t.yaml`; fails the test on YAML errors.
    static func node(_ yaml: String) throws -> ConfigNode {
        let diagnostics = ConfigDiagnostics()
        guard let node = YAMLLoader().load(text: yaml, file: "t.yaml", diagnostics: diagnostics), diagnostics.isEmpty
        else {
            throw FixtureError("YAML problems: \(diagnostics.items)")
        }
        return node
    }

    /// Compiles `template` (YAML scalar text) for `events` and renders it for `event`.
    static func render(
        _ template: String, sink: TemplateSink = .text, for event: Event, events: [String]? = nil
    ) throws -> (String, RenderReport) {
        let diagnostics = ConfigDiagnostics()
        let names = (events ?? [event.name.rawValue]).compactMap(EventName.init)
        let compiler = TemplateCompiler(events: names, diagnostics: diagnostics)
        guard let compiled = compiler.compile(.scalar(template, at: .builtin("t")), key: "t", sink: sink) else {
            throw FixtureError("template problems: \(diagnostics.items)")
        }
        var report = RenderReport()
        return (compiled.render(event, report: &report), report)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
