import HeraldCore

/// `plugin: mailchimp` — keeps members of a Mailchimp audience (Marketing API 3.0) in step with
/// identity events: add or update a member, unsubscribe, archive; tags added and removed.
///
/// ```yaml
/// actions:
///   audience:
///     plugin: mailchimp
///     api_key: "${credential:mailchimp-key}"   # required; …-us21 names the data center; never printed
///     list_id: a1b2c3d4e5                      # the audience; a step may name another
///     # base_url: https://us21.api.mailchimp.com/3.0   timeout: 30s   concurrency: 5 (at most 10)
/// routes:
///   - name: newsletter-member
///     events: [registration.after]
///     when: { identity.traits.newsletter: true }
///     do:
///       - action: audience
///         email: "{{identity.traits.email}}"
///         status_if_new: pending                 # double opt-in; or subscribed
///         merge_fields: { FNAME: "{{identity.traits.name.first}}" }
///         language: "{{event.locale | language}}"
///         tags: [kratos, "signup-{{event.method | default: 'unknown'}}"]
/// ```
///
/// Step keys: `operation` (`upsert`, the default; `unsubscribe`; `archive`), `email` (a
/// template; the subscriber hash is the MD5 of its lower-cased, trimmed value), `list_id`; for
/// `upsert`: `status_if_new` (required: `subscribed` or `pending`), `status` (also changes an
/// existing member; `subscribed` is refused by Mailchimp for unsubscribed or cleaned contacts,
/// `pending` sends them the opt-in mail), `merge_fields` (tag → template; a value that renders
/// empty is left out), `language`, `skip_merge_validation`; for `upsert` and `unsubscribe`: `tags`
/// and `remove_tags` (templates; sent to the tags endpoint after the member call). There is no
/// `clean` (Mailchimp sets `cleaned` itself) and no permanent delete.
///
/// Outcomes (reference/mailchimp-marketing.md §8–§10): 2xx → delivered; 400 (`Member In
/// Compliance State`, `Forgotten Email Not Subscribed`, `Invalid Resource`, `Member Exists`), 401,
/// 403 with a problem body, 404, 405 and other 4xx → failed with Mailchimp's title and detail; a 400
/// "signed up to a lot of lists very recently", 408, 429, a 403 without a body (the throttle) and
/// 503 → retry (honouring `Retry-After` when present); 500, 502, 504, timeouts and a lost
/// connection → retry marked ambiguous; a 503 saying the method is disabled → failed. A 404 to an
/// archive in a repeated attempt counts as archived, and a 404 to an unsubscribe as done (the
/// address gets no mail from the audience; its tags call is skipped).
package enum MailchimpPlugin: ActionPlugin {
    package static let kind = "mailchimp"
    package static let summary = "keeps Mailchimp audience members in step (Marketing API)"

    package static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
        guard let settings = MailchimpSettings.parse(definition) else { return nil }
        return MailchimpAction(name: definition.name, settings: settings, configurationSecrets: definition.secrets)
    }
}
