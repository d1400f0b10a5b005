import HeraldCore

/// A route's `deny:` (design §6.4): a route that stops a Kratos flow with a message instead of
/// running actions.
extension ConfigurationBuilder {
    /// True when the route's `do:` holds a `deny:` (then it must hold nothing else).
    func isDecision(_ map: ConfigMap) -> Bool {
        (map.node("do")?.sequence ?? []).contains { item in
            item.mapping?.contains { $0.key.scalar?.text == "deny" } ?? false
        }
    }

    /// `do: [{deny: {message, field, id, status}}]` (design §6.4); nil for a route with actions.
    func readDenial(_ map: ConfigMap, route: String, events: [EventName]) -> Denial? {
        guard isDecision(map), let items = map.node("do")?.sequence else { return nil }
        guard items.count == 1, let item = items.first, let pairs = item.mapping, pairs.count == 1,
            let node = pairs.first?.value
        else {
            diagnostics.error(
                "a route that denies does only that: 'do: [{deny: {...}}]'; put actions in another route",
                at: map.node("do") ?? map.node)
            return nil
        }
        if let name = events.first(where: { !Denial.canDeny($0) }) {
            diagnostics.error(
                "deny cannot answer \(name): Kratos only lets before hooks and the pre-persist hooks of registration.after and settings.after stop a flow",
                at: map.node("events") ?? map.node)
            return nil
        }
        for name in events {
            switch Denial.visibility(of: name) {
            case .form: break
            case .errorPage(let why): diagnostics.warning(why, at: map.node("events") ?? map.node)
            case .afterTheFact(let why):
                // Reported, and the deny itself still checked, so every problem shows at once.
                diagnostics.error("deny on \(name) is refused: \(why)", at: map.node("events") ?? map.node)
            }
        }
        guard let denial = ConfigMap(node, keys: Denial.keys, what: "'deny'", diagnostics: diagnostics),
            let messageNode = denial.node("message", required: true)
        else { return nil }
        let templates = TemplateCompiler(events: events, diagnostics: diagnostics)
        let message = templates.compile(messageNode, key: "message", sink: .header)
        let field = denial.string("field") ?? "#/"
        if !field.hasPrefix("#/") {
            diagnostics.error(
                "'field' is a JSON pointer into the form such as '#/traits/email', or '#/' for the whole form",
                at: denial.node("field") ?? node)
        }
        let id = denial.int("id", in: 1...99_999_999) ?? 4_000_000
        let status = denial.int("status", in: 400...499) ?? 400
        if status == 429 {
            diagnostics.error(
                "Kratos retries 429 and shows no message; use 400, 403, 409 or 422", at: denial.node("status") ?? node)
        }
        guard let message else { return nil }
        return Denial(message: message, field: field, id: id, status: status)
    }
}
