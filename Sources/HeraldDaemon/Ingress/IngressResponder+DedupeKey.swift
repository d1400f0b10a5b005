import HeraldCore

extension IngressResponder {
    /// What recognises Kratos' retries of one call: `Ory-Webhook-Trigger-ID` (the same on every
    /// retry); without it (Kratos v1.x, `emit_analytics_event: false`) a digest of the event name,
    /// the hook's query and the body as Kratos rendered it, which a retry repeats byte for byte.
    /// Not the flow id: a settings flow can be submitted again, and a two-factor login runs its
    /// after hooks once per factor, both with the same flow id; those are new events, and their
    /// bodies differ (the changed identity, the session's methods).
    static func dedupeKey(for event: Event, body: [UInt8], query: HookQuery = HookQuery()) -> String? {
        dedupeKey(name: event.name, triggerID: event.triggerID, body: body, query: query)
    }

    /// The same from what a request carries before its body is parsed (the event's name from a
    /// `/v1/events/{flow}/{phase}` path).
    static func dedupeKey(name: EventName, triggerID: String?, body: [UInt8], query: HookQuery) -> String? {
        if let triggerID, !triggerID.isEmpty { return "trigger:\(triggerID)" }
        // The digest, not the body: the key is stored with the jobs and must not hold personal
        // data, codes or links a second time.
        var hashing = Hashing<SHA256>()
        hashing.update("\(name)\n\(query.decide ? "decide" : "")\n\(query.method ?? "")\n".utf8)
        hashing.update(body)
        return (name.isCourier ? "courier:" : "body:") + Hex.lowercase(hashing.finalize())
    }
}
