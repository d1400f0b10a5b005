/// What a step asks Mailchimp to do with one audience member.
enum MailchimpOperation: String, Sendable, CaseIterable {
    /// `PUT /lists/{list_id}/members/{hash}` (add or update), then the tags endpoint when the
    /// step adds or removes tags.
    case upsert
    /// `PATCH /lists/{list_id}/members/{hash}` with `status: unsubscribed`, then tags.
    case unsubscribe
    /// `DELETE /lists/{list_id}/members/{hash}`: the contact stays, `archived`, and can come back.
    case archive

    /// Why an operation Herald deliberately does not offer is missing, for `herald check`.
    static func refusal(_ name: String) -> String? {
        switch name {
        case "clean", "cleaned":
            return "Mailchimp sets 'cleaned' itself when its own mail to the address bounces; no source shows "
                + "that the API accepts it from a client, so Herald does not send it. For a hard bounce use "
                + "'unsubscribe' (no more marketing mail, reversible only by the person) or 'archive'"
        case "delete", "delete_permanent", "delete-permanent", "forget":
            return "a permanent delete cannot be undone and the address can never be re-added through the API; "
                + "Herald does not offer it (use 'archive')"
        case "subscribe", "add", "update":
            return "use 'upsert' (add or update), with status_if_new: subscribed or pending"
        default:
            return nil
        }
    }
}
