import HeraldCore

/// `plugin: kratos` — changes an Ory Kratos identity through the admin API's JSON Patch
/// (`PATCH /admin/identities/{id}`), e.g. marks `metadata_admin.email_undeliverable` after a hard
/// bounce so that the application can ask the user for a new address.
///
/// ```yaml
/// actions:
///   kratos:
///     plugin: kratos
///     admin_url: http://kratos:4434              # self-hosted: the admin listener
///     # project: my-project-slug                 # or Ory Network: https://my-project-slug.projects.oryapis.com
///     # token: "${credential:ory-api-key}"       # Bearer; required with project; never printed or spooled
///     # timeout: 10s
/// routes:
///   - name: mark-undeliverable
///     events: [registration.after]
///     do:
///       - action: kratos
///         identity: "{{identity.id}}"
///         patch:
///           - { op: add, path: /metadata_admin/email_undeliverable, value: true }
///           - { op: remove, path: /metadata_public/newsletter }
/// ```
///
/// Step keys: `identity` (a template; a step whose identity renders empty plans no job) and
/// `patch`, a list of `{op, path, value}`: `op` is `add`, `replace` or `remove` (Kratos refuses
/// `move`, `copy` and `test`); `path` a JSON Pointer under `/metadata_admin`, `/metadata_public`,
/// `/traits` or `/state`, naming object keys only; `value` any YAML, whose text is rendered as
/// templates. Kratos creates missing (or null) parent objects on `add`, so one operation sets a
/// key even when `metadata_admin` was never set. A `remove` is sent as an `add` of null followed by
/// the `remove`, so that it succeeds when the key is already gone and every patch can be repeated.
///
/// Outcomes: 200 → delivered; 404 from Kratos (the identity is gone) and 400, 401, 403, 409, 422
/// → failed with Kratos' own message and reason; 400 for a concurrent database update, 429 and
/// 503 → retry (honouring `Retry-After`); 500, 502, 504, timeouts and lost connections → retry
/// marked ambiguous (a repeat is harmless: every patch Herald sends is idempotent).
package enum KratosPlugin: ActionPlugin {
    package static let kind = "kratos"
    package static let summary = "patches Ory Kratos identities through the admin API (JSON Patch)"

    package static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
        guard let settings = KratosSettings.parse(definition) else { return nil }
        return KratosAction(name: definition.name, settings: settings, configurationSecrets: definition.secrets)
    }
}
