import HeraldCore

/// `plugin: recording` — an action that records the jobs it performs and answers with scripted
/// outcomes (`.delivered` once the script is used up). Like swift-log's test handlers.
///
/// Actions made while `RecordingPlugin.$recorder` is bound share that recorder, so a test can
/// load a whole configuration and still reach what its actions did, with no global state:
///
/// ```swift
/// let recorder = JobRecorder(outcomes: [.retry(after: nil, reason: "busy", ambiguous: false)])
/// let config = try RecordingPlugin.$recorder.withValue(recorder) { try load(yaml) }
/// …
/// #expect(recorder.jobs.count == 2)
/// ```
///
/// Steps accept any keys; every value is compiled as a text template and rendered into the job
/// payload under its key; `to`, when present, gives the ordering key.
package enum RecordingPlugin: ActionPlugin {
    package static let kind = "recording"
    package static let summary = "records the jobs it performs and answers with scripted outcomes (tests)"

    /// The recorder the next actions use; a fresh one per action when unbound.
    @TaskLocal package static var recorder: JobRecorder?

    package static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
        guard definition.options(keys: []) != nil else { return nil }
        return RecordingAction(name: definition.name, recorder: recorder ?? JobRecorder())
    }
}

/// The action of `RecordingPlugin`.
package struct RecordingAction: Action {
    package let name: String
    package let kind = RecordingPlugin.kind
    package let recorder: JobRecorder

    package init(name: String, recorder: JobRecorder = JobRecorder()) {
        self.name = name
        self.recorder = recorder
    }

    package var summary: String { "records jobs" }

    package func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        let keys = step.node.mapping?.compactMap { $0.key.scalar?.text } ?? []
        guard let options = step.options(keys: keys) else { return nil }
        var fields: [(String, Template)] = []
        var valid = true
        for key in keys where key != "action" {
            guard let node = options.node(key), let template = step.templates.compile(node, key: key, sink: .text)
            else {
                valid = false
                continue
            }
            fields.append((key, template))
        }
        return valid ? RecordingStep(action: name, fields: fields) : nil
    }

    package func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
        recorder.record(job, attempt: context.attempt)
    }
}

/// A step of `RecordingAction`: renders each configured field.
struct RecordingStep: ActionStep {
    let action: String
    let fields: [(String, Template)]

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        var payload = JSONObject()
        for (key, template) in fields { payload[key] = .string(template.render(event, report: &report)) }
        return PlannedJob(payload: .object(payload), orderingKey: payload["to"]?.string?.lowercased())
    }
}
