import HeraldConfig
import HeraldCore
import HeraldFuzzSupport

/// fuzz-templates: fuzzed template text and `when:` conditions over the fixed Kratos payloads of
/// `Tests/Fixtures/kratos-payloads`.
///
/// Input: byte 0 picks what the rest is — bit 0 clear: a template, compiled for the sink in
/// bits 1–2 (text, html, header); set: a condition written in YAML (`when:`'s value). Bits 3–6
/// pick the event. Checked:
/// - a template or condition compiles exactly when no error was reported;
/// - a template compiles the same way from a config scalar (unless that reads as YAML null) and
///   from a file's text, renders the
///   same text twice, and for the header sink leaves no control character (C0, DEL) in it;
/// - `Condition.matches(event)` equals `explain(event) == nil`, and a failing condition is
///   explained by at least one failure, for every fixture event.
@_cdecl("fuzz_templates_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    let ids = TimeOrderedIDGenerator()
    for (name, body) in KratosFixtures.payloads() {
        guard let eventName = EventName(name), let document = try? JSONDocument(parsing: body) else { continue }
        events.append(
            Event(
                id: ids.next(), name: eventName, receivedAt: WallClock(millisecondsSinceEpoch: 1_780_000_000_000),
                triggerID: "trigger-1", payload: document.root, hookMethod: "password"))
    }
    return runFuzzer(argc: argc, argv: argv, fuzzOne)
}

nonisolated(unsafe) var events: [Event] = []

func fuzzOne(_ bytes: [UInt8]) {
    var input = FuzzInput(bytes)
    let control = input.byte()
    let text = String(decoding: input.rest(), as: UTF8.self)
    let event = events[Int(control >> 3) % events.count]
    if control & 1 == 0 {
        let sinks: [TemplateSink] = [.text, .html, .header, .text]
        checkTemplate(text, sink: sinks[Int(control >> 1) & 3], event: event)
    } else {
        checkCondition(text, event: event)
    }
}

func checkTemplate(_ text: String, sink: TemplateSink, event: Event) {
    let fileDiagnostics = ConfigDiagnostics()
    let fromFile = TemplateCompiler(events: [event.name], diagnostics: fileDiagnostics)
        .compile(fileText: text, file: "t.html", sink: sink)
    fuzzCheck(
        (fromFile == nil) == !fileDiagnostics.isEmpty, "compiled \(fromFile != nil) with \(fileDiagnostics.items)")
    let scalarDiagnostics = ConfigDiagnostics()
    let node = ConfigNode.scalar(text, at: .builtin("t"))
    let fromScalar = TemplateCompiler(events: [event.name], diagnostics: scalarDiagnostics)
        .compile(node, key: "t", sink: sink)
    // A plain scalar that reads as null (``, `~`, `null`) is no template by design.
    if !node.isNull {
        fuzzCheck((fromFile == nil) == (fromScalar == nil), "file and scalar compile differently")
    }
    for diagnostic in fileDiagnostics.items + scalarDiagnostics.items {
        fuzzCheck(diagnostic.location.line >= 1 && diagnostic.location.column >= 1, "no position: \(diagnostic)")
    }
    guard let template = fromFile else { return }
    var report = RenderReport()
    let first = template.render(event, report: &report)
    var again = RenderReport()
    let second = template.render(event, report: &again)
    fuzzCheck(first == second, "two renders differ")
    fuzzCheck(report.missingPaths == again.missingPaths, "two renders report differently")
    if sink == .header {
        fuzzCheck(
            !first.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
            "a control character in a header: \(first.escapingControlCharacters)")
    }
}

func checkCondition(_ text: String, event: Event) {
    let diagnostics = ConfigDiagnostics()
    guard let node = YAMLLoader().load(text: text, file: "when.yaml", diagnostics: diagnostics), diagnostics.isEmpty
    else { return }
    let names = [event.name]
    guard let condition = Condition.compile(node, events: names, diagnostics: diagnostics) else {
        fuzzCheck(!diagnostics.isEmpty, "condition rejected without an error")
        return
    }
    fuzzCheck(diagnostics.isEmpty, "condition compiled with errors: \(diagnostics.items)")
    for event in events {
        let matches = condition.matches(event)
        let failures = condition.explain(event)
        fuzzCheck(matches == (failures == nil), "matches \(matches) but explain says \(failures as Any)")
        if let failures {
            fuzzCheck(!failures.isEmpty, "the condition fails for \(event.name) without a failure to show")
            for failure in failures { _ = failure.description }
        }
    }
}
