/// The convenience fields Herald derives for every event (design §4). Conditions and templates
/// use them like payload paths: `event.method`, `recipient`.
package enum DerivedField: String, Sendable, Hashable, CaseIterable {
    /// `event.name`: `registration.after`, `courier.verification_code_valid`.
    case name
    /// `event.flow`: `registration`, `login`, … or `courier`.
    case flow
    /// `event.phase`: `before`/`after`, or the courier template type.
    case phase
    /// `event.method`: the method of the flow (`password`, `oidc`, `code`, `profile`, …): from the
    /// hook's URL (`?method=`), else `flow.active`, else the session's last authentication method.
    case method
    /// `event.id`: Herald's id for the event.
    case id
    /// `event.trigger_id`: Kratos' `Ory-Webhook-Trigger-ID`, when sent.
    case triggerID = "trigger_id"
    /// `event.received_at`: RFC 3339 time Herald received the event.
    case receivedAt = "received_at"
    /// `event.locale`: the transient payload's `locale`, else the traits' `locale`/`language`, else the first
    /// `Accept-Language` tag.
    case locale
    /// `recipient`: the courier recipient, else the first verifiable email address, else
    /// `identity.traits.email`; for a Mandrill event `msg.email` (a sync event: `reject.email`).
    case recipient

    /// The field named `event.<name>`.
    package init?(eventField name: String) {
        guard name != "recipient", let field = DerivedField(rawValue: name) else { return nil }
        self = field
    }

    /// How the field is written in paths.
    package var path: String { self == .recipient ? "recipient" : "event.\(rawValue)" }
}
