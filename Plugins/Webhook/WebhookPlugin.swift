import HeraldCore

/// `plugin: webhook` — forwards an event to an HTTP(S) endpoint, signed per Standard Webhooks 1.0
/// (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,…`), so that any receiver with a
/// Standard Webhooks library can verify it.
///
/// ```yaml
/// actions:
///   crm:
///     plugin: webhook
///     url: https://crm.example.com/hooks/herald
///     secrets: ["${credential:crm-webhook-secret}"]      # whsec_…; two while rotating
///     # method: POST                                     # PUT, PATCH
///     # headers: { Authorization: "Bearer ${env:CRM_TOKEN}" }
///     # timeout: 15s
///     # content_type: application/json
/// routes:
///   - name: tell-the-crm
///     events: [registration.after]
///     do:
///       - action: crm                                    # the whole payload as JSON
///       # body: '{"user": {{identity.id | json}}}'       # or a rendered body
/// ```
///
/// `webhook-id` is the job id, the same on every attempt, so receivers can use it as their
/// idempotency key; `webhook-timestamp` is the time of each attempt. The body is rendered once,
/// when the event arrives, and every attempt signs and sends exactly those bytes.
///
/// Outcomes, as the spec advises: 2xx → delivered; 410 → failed (the receiver wants no more);
/// 3xx → failed, never followed (the URL should be updated); 429, 503 → retry after
/// `Retry-After`; 408 → retry; 502, 504, other 5xx, timeouts and lost connections → retry marked
/// ambiguous (the receiver may have processed it); other 4xx → failed.
package enum WebhookPlugin: ActionPlugin {
    package static let kind = "webhook"
    package static let summary = "posts events to an HTTP endpoint, signed per Standard Webhooks"

    package static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
        guard let settings = WebhookSettings.parse(definition) else { return nil }
        return WebhookAction(name: definition.name, settings: settings, configurationSecrets: definition.secrets)
    }
}
