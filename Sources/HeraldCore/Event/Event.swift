/// One event as Herald routes it: what Ory sent, the name it was sent under, and what Herald
/// derives from it (design §4).
///
/// Decoding is lenient about what Ory varies (missing keys, nulls, zero UUIDs, unknown fields,
/// any traits schema); the only requirement is a JSON object body, checked by the ingress.
package struct Event: Sendable {
    package let id: TimeOrderedID
    package let name: EventName
    package let receivedAt: WallClock
    /// `Ory-Webhook-Trigger-ID`, the same on every retry of one hook execution.
    package let triggerID: String?
    /// The request body (for the envelope form, its `ctx`).
    package let payload: JSONValue
    /// `event.method`: the method the hook's URL names (`?method=password`), else `flow.active`,
    /// else the last of the session's authentication methods (login and registration only).
    package let method: String?
    /// `event.locale`, when anything says.
    package let locale: String?
    /// `recipient`, when the payload has an address.
    package let recipient: String?
    /// The event's trace, naming the ingress' span (W3C `traceparent` from Ory, or a new trace);
    /// every job planned for the event carries it.
    package let trace: TraceContext?

    /// - Parameters:
    ///   - hookMethod: the method named by the hook that called (`?method=` in its URL, which
    ///     `herald kratos-config` writes for every per-method list).
    ///   - trace: the event's trace, naming the ingress' span.
    package init(
        id: TimeOrderedID, name: EventName, receivedAt: WallClock, triggerID: String?, payload: JSONValue,
        hookMethod: String? = nil, trace: TraceContext? = nil
    ) {
        self.id = id
        self.trace = trace
        self.name = name
        self.receivedAt = receivedAt
        self.triggerID = triggerID
        self.payload = payload
        self.method = Event.method(of: payload, name: name, hookMethod: hookMethod)
        self.locale = Event.locale(of: payload)
        self.recipient = name.isMandrill ? Event.mandrillRecipient(of: payload) : Event.recipient(of: payload)
    }

    /// Looks `path` up in the derived fields or the payload. Nil when absent.
    package func value(at path: PayloadPath) -> FieldValue? {
        switch path.root {
        case .derived(let field):
            return derived(field).map(FieldValue.text)
        case .payload:
            return payload.value(at: path.components).map(FieldValue.json)
        }
    }

    /// The derived field's value, nil when the event has none.
    package func derived(_ field: DerivedField) -> String? {
        switch field {
        case .name: return name.rawValue
        case .flow: return String(name.flow)
        case .phase: return String(name.phase)
        case .method: return method
        case .id: return id.description
        case .triggerID: return triggerID
        case .receivedAt: return receivedAt.rfc3339
        case .locale: return locale
        case .recipient: return recipient
        }
    }

    /// The identity the event is about: `identity`, else the session's or the settings flow's.
    package var identity: JSONValue? {
        nonNull(payload["identity"]) ?? nonNull(payload["session"]?["identity"])
            ?? nonNull(payload["flow"]?["identity"]) ?? nonNull(payload["template_data"]?["identity"])
    }

    /// Kratos sets `flow.active` only in its oidc and code strategies, so for most methods the
    /// hook's own list is what tells. The session's methods are the sign-in's, which is what a
    /// login or a registration just did; a settings flow's session says how the user signed in,
    /// not what they change, so it is not consulted there.
    private static func method(of payload: JSONValue, name: EventName, hookMethod: String?) -> String? {
        if let hookMethod, !hookMethod.isEmpty { return hookMethod }
        if let active = nonEmptyString(payload["flow"]?["active"]) { return active }
        guard name.flow == "login" || name.flow == "registration",
            let methods = payload["session"]?["authentication_methods"], methods.kind == .array
        else { return nil }
        var last: String?
        for method in methods.elements { last = nonEmptyString(method["method"]) ?? last }
        return last
    }

    private static func locale(of payload: JSONValue) -> String? {
        let transient =
            nonNull(payload["flow"]?["transient_payload"]) ?? nonNull(payload["template_data"]?["transient_payload"])
        if let locale = nonEmptyString(transient?["locale"]) { return locale }
        let identity = nonNull(payload["identity"]) ?? nonNull(payload["template_data"]?["identity"])
        if let traits = identity?["traits"] {
            if let locale = nonEmptyString(traits["locale"]) ?? nonEmptyString(traits["language"]) { return locale }
        }
        if let header = nonEmptyString(payload["request_headers"]?["Accept-Language"]?[0]) {
            return firstLanguageTag(header)
        }
        return nil
    }

    /// The message's recipient, or the address a sync event is about.
    private static func mandrillRecipient(of payload: JSONValue) -> String? {
        nonEmptyString(payload["msg"]?["email"]) ?? nonEmptyString(payload["reject"]?["email"])
    }

    private static func recipient(of payload: JSONValue) -> String? {
        if let courier = nonEmptyString(payload["recipient"]) { return courier }
        let identity =
            nonNull(payload["identity"]) ?? nonNull(payload["session"]?["identity"])
            ?? nonNull(payload["flow"]?["identity"])
        guard let identity else { return nil }
        if let addresses = identity["verifiable_addresses"], addresses.kind == .array {
            for address in addresses.elements where address["via"]?.stringEquals("email") ?? true {
                if let value = nonEmptyString(address["value"]) { return value }
            }
        }
        return nonEmptyString(identity["traits"]?["email"])
    }
}

/// `en-US,en;q=0.9,de;q=0.8` → `en-US`; `*` and empty lists give nil.
func firstLanguageTag(_ header: String) -> String? {
    let first = header.split(separator: ",").first.map { $0.split(separator: ";")[0] }
    let tag = first.map { $0.trimmingCharacters(in: " \t") } ?? ""
    return tag.isEmpty || tag == "*" ? nil : tag
}

private func nonNull(_ value: JSONValue?) -> JSONValue? {
    guard let value, !value.isNull else { return nil }
    return value
}

private func nonEmptyString(_ value: JSONValue?) -> String? {
    guard let text = value?.string, !text.isEmpty else { return nil }
    return text
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}
