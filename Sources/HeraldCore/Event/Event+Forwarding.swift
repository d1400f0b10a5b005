extension Event {
    /// The event's payload as compact JSON for a step that forwards it whole (a webhook or exec
    /// step without `body:`), minus the user's cookies: `request_cookies` (Kratos sends every
    /// cookie of the user's request, the session cookie `ory_kratos_session` among them) and a
    /// `Cookie` request header (Kratos before v1.3 forwarded every header). Cookies are
    /// credentials, not data about the event: stored with the job they would sit in the spool,
    /// the database and dead letters for as long as the job does, and reach the receiver. A step
    /// that truly needs one names it in a `body:` template (templates still see the whole event).
    /// Everything else is written byte for byte as `payload.description` writes it.
    package var forwardedPayload: String {
        guard payload.kind == .object else { return payload.description }
        var writer = JSONWriter(reservingCapacity: payload.sourceRange.count)
        writer.beginObject()
        for (key, value) in payload.members where key != "request_cookies" {
            writer.key(key)
            if key == "request_headers", value.kind == .object {
                writer.beginObject()
                for (name, values) in value.members where name.lowercased() != "cookie" {
                    writer.key(name)
                    values.write(to: &writer)
                }
                writer.endObject()
            } else {
                value.write(to: &writer)
            }
        }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
