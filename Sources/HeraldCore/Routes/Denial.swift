/// A route's `deny:` decision (design §6.4): Herald answers the hook itself with the 4xx
/// `{"messages": [...]}` body that Kratos turns into a validation error on the form
/// (reference/kratos-webhooks.md §3.5). Computed from the rules alone, never from the network,
/// and it never creates jobs.
///
/// ```yaml
/// do:
///   - deny: { message: "Registrations from this domain are not allowed.", field: "#/traits/email", id: 4000901 }
/// ```
package struct Denial: Sendable {
    package static let keys = ["message", "field", "id", "status"]
    /// The events a denial can affect: `before` hooks, and the pre-persist (`parse: true`) hooks
    /// of registration and settings, which Kratos runs before it stores anything.
    package static func canDeny(_ name: EventName) -> Bool {
        name.isFlowEvent && (name.phase == "before" || name.flow == "registration" || name.flow == "settings")
    }

    /// What Kratos does with a denial of `name` (ory/kratos `selfservice/flow/*/handler.go` and
    /// `hook.go`, issue 8): the answer of a `before` hook is never shown on a form, because the
    /// flow it would go into is not stored yet; the pre-persist hooks of registration and
    /// settings run on a stored flow, before anything is saved, and their messages show on it.
    package enum Visibility: Sendable, Equatable {
        /// Kratos shows the message on the form, at `field`.
        case form
        /// The flow ends on an error page (or a JSON error); the message is not shown.
        case errorPage(String)
        /// The hook also fires after the change it would guard is saved: refused.
        case afterTheFact(String)
    }

    /// How a denial of `name` reaches the user.
    package static func visibility(of name: EventName) -> Visibility {
        switch (name.flow, name.phase) {
        case ("registration", "after"), ("settings", "after"):
            return .form
        case ("settings", "before"):
            return .afterTheFact(
                "Kratos runs settings.before again after every successful settings submit, once the change is saved, "
                    + "so this deny would also fire after the fact (the user sees an error for a change that was made, "
                    + "and Kratos skips its after hooks); deny on settings.after instead: it is checked before the "
                    + "change is saved and Kratos shows the message on the form")
        case ("login", "before"):
            return .errorPage(
                "Kratos cannot show a login.before denial: the login flow is not stored yet, so the user gets an "
                    + "error page (404) instead of this message")
        case ("registration", "before"):
            return .errorPage(
                "Kratos shows a registration.before denial as an error page (a JSON error for API clients), not "
                    + "this message on the form; deny on registration.after to show it on the form")
        default:
            return .errorPage(
                "Kratos answers a \(name) denial with a JSON error, in the browser too; the message is not shown on a form"
            )
        }
    }

    /// The message text; a template over the event.
    package let message: Template
    /// JSON pointer of the form field (`#/traits/email`), or `#/` for the whole form.
    package let field: String
    /// Kratos message id (Kratos' own ids are 1xxxxxx to 5xxxxxx; pick your own range, e.g. 4000901).
    package let id: Int
    /// The HTTP status: 400–499 but 429 (Kratos retries 429 and shows no messages).
    package let status: Int

    package init(message: Template, field: String, id: Int, status: Int) {
        self.message = message
        self.field = field
        self.id = id
        self.status = status
    }
}

/// One rendered denial.
package struct DenyMessage: Sendable, Hashable {
    package let route: String
    package let field: String
    package let id: Int
    package let text: String
    package let status: Int
}

extension RuleSet {
    /// The denials of the matching decision routes, in file order (a matching route with
    /// `stop: true` ends the search). Empty when the event may go on.
    package func decide(_ event: Event) -> [DenyMessage] {
        var messages: [DenyMessage] = []
        for route in match(event, decisions: true) {
            guard let denial = route.denial else { continue }
            var report = RenderReport()
            messages.append(
                DenyMessage(
                    route: route.name, field: denial.field, id: denial.id,
                    text: denial.message.render(event, report: &report),
                    status: denial.status))
        }
        return messages
    }
}

extension [DenyMessage] {
    /// The body Kratos parses: messages grouped by field, each of type `error`.
    package var kratosBody: JSON {
        var order: [String] = []
        var grouped: [String: [JSON]] = [:]
        for message in self {
            if grouped[message.field] == nil { order.append(message.field) }
            grouped[message.field, default: []].append(
                [
                    "id": .int(Int64(message.id)), "text": .string(message.text), "type": "error",
                    "context": ["route": .string(message.route)],
                ])
        }
        return ["messages": .array(order.map { ["instance_ptr": .string($0), "messages": .array(grouped[$0] ?? [])] })]
    }

    /// The status of the answer: the first denial's.
    package var status: Int { first?.status ?? 400 }
}
