import HeraldCore

/// `plugin: mandrill` — sends email through Mailchimp Transactional (Mandrill):
/// `messages/send` for inline content, `messages/send-template` for a stored template.
///
/// ```yaml
/// actions:
///   mail:
///     plugin: mandrill
///     api_key: "${env:MANDRILL_API_KEY}"       # required; never printed, never spooled
///     from: { email: hello@example.com, name: Example }
///     # base_url: https://mandrillapp.com/api/1.0   timeout: 30s   reply_to: support@example.com
///     # subaccount, ip_pool, tags: [...], track_opens, track_clicks, important, view_content_link,
///     # merge_language: mailchimp|handlebars, metadata: {name: text}
/// routes:
///   - name: welcome
///     events: [registration.after]
///     do:
///       - action: mail
///         template: ["welcome-{{event.locale | language}}", welcome]   # → messages/send-template
///         to: "{{recipient}}"
///         vars: { FNAME: "{{identity.traits.name.first | default: 'there'}}" }
///         tags: [welcome]
/// ```
///
/// Step keys: the shared email keys (`to`, `cc`, `bcc`, `from`, `reply_to`, `subject`, `html`,
/// `text`, `html_file`, `text_file`); `template` (a slug template, or a list of up to 5 tried in
/// order: Mandrill's `Unknown_Template` for one moves on to the next within the same attempt, and
/// only the last one's is a failure; a name other than the last that rendered empty or used a value
/// the event lacks is left out; without `template` the step needs `subject`, `html` or `text`, and
/// a `from` here or on the action); `template_content`
/// (`[{name, content}]`); `vars` (→ `global_merge_vars`); `merge_language`; `tags`; `metadata`
/// (name → template); `subaccount` (template); `ip_pool`; `send_at` (`YYYY-MM-DD HH:MM:SS`
/// UTC, template); `headers` (name → template); `track_opens`, `track_clicks`, `important`.
///
/// Defaults and overrides: a step's value replaces the action's (`from`, `reply_to`,
/// `subaccount`, `ip_pool`, `merge_language`, the flags); `tags` add to the action's, in order and
/// without repeats; `metadata` is merged, the step winning per field, and Herald always adds
/// `herald_job`, `herald_event` and, when the event has an identity, `herald_identity` (so at
/// most 7 fields of your own: Mandrill indexes 10).
///
/// Outcomes follow design §6.5: every recipient `sent|queued|scheduled` → delivered; any
/// `rejected|invalid` → failed, never retried; `Invalid_Key`, `ValidationError`, `Unknown_*`,
/// `PaymentRequired` and 400/401/402/403/404/422 → failed; 429, 503 and failures to connect →
/// retry (honouring `Retry-After`); `GeneralError`, 500, 502, 504, timeouts, a lost connection
/// and any other answer → retry marked ambiguous, since Mandrill has no idempotency key.
package enum MandrillPlugin: ActionPlugin {
    package static let kind = "mandrill"
    package static let summary = "sends email through Mailchimp Transactional (Mandrill)"

    package static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
        guard let settings = MandrillSettings.parse(definition) else { return nil }
        return MandrillAction(name: definition.name, settings: settings, configurationSecrets: definition.secrets)
    }
}
