/// Which top-level keys a payload can have for each event (reference/kratos-webhooks.md §2.2
/// and §5), so that the config loader can reject template and condition paths that can never
/// exist, such as `identity.traits.email` on a route that only listens to `registration.before`.
package enum PayloadShape {
    /// Keys every Kratos web hook payload has.
    static let common = ["flow", "request_headers", "request_method", "request_url", "request_cookies"]
    /// Keys of the courier's message.
    static let courier = [
        "recipient", "subject", "body", "html_body", "template_type", "template_data", "message_type",
        "request_headers",
    ]

    /// Keys of a Mandrill message event (`send` … `reject`), and of a sync event
    /// (reference/mandrill-webhooks.md §4).
    static let mandrillMessage = [
        "event", "_id", "ts", "msg", "url", "ip", "user_agent", "location", "user_agent_parsed",
    ]
    static let mandrillSync = ["type", "action", "reject", "ts"]

    /// The top-level keys `name`'s payload may have; nil when Herald does not know the event
    /// (then any path is accepted).
    package static func topLevelKeys(of name: EventName) -> Set<String>? {
        knownKeys[name.rawValue] ?? nil
    }

    /// The keys of every known event, worked out once (config loads ask for each path).
    private static let knownKeys: [String: Set<String>?] = Dictionary(
        uniqueKeysWithValues: EventName.known.map { ($0.rawValue, computeTopLevelKeys(of: $0)) })

    private static func computeTopLevelKeys(of name: EventName) -> Set<String>? {
        guard name.isKnown else { return nil }
        if name.isCourier { return Set(courier) }
        if name.isMandrill {
            return Set(name.phase == "blacklist" || name.phase == "whitelist" ? mandrillSync : mandrillMessage)
        }
        var keys = Set(common)
        switch (name.flow, name.phase) {
        case ("registration", "after"), ("verification", "after"), ("recovery", "after"):
            keys.insert("identity")
        case ("login", "after"), ("settings", "after"):
            keys.insert("identity")
            keys.insert("session")
        case ("settings", "before"):
            keys.insert("session")
        default:
            break
        }
        return keys
    }

    /// `recipient` comes from a courier message or from an identity (the payload's, the session's
    /// or a settings flow's); `before` hooks of registration, login, verification and recovery
    /// have neither, so a route that only listens to them can never have one.
    static func recipientProblem(events: [EventName]) -> String? {
        guard !events.isEmpty else { return nil }
        for event in events {
            guard let keys = topLevelKeys(of: event) else { return nil }
            if event.isCourier || event.isMandrill || keys.contains("identity") || keys.contains("session")
                || event.flow == "settings"
            {
                return nil
            }
        }
        let names = events.count <= 3 ? events.map(\.rawValue).joined(separator: ", ") : "these events"
        return "'recipient' can never exist: payloads of \(names) carry no identity and no courier recipient"
    }

    /// Checks that `path` can exist for at least one of `events`; returns a message otherwise.
    package static func problem(with path: PayloadPath, events: [EventName]) -> String? {
        if case .derived(let field) = path.root {
            return field == .recipient ? recipientProblem(events: events) : nil
        }
        guard let first = path.firstKey else { return nil }
        if first == "event" {
            let known = DerivedField.allCases.map(\.path).joined(separator: ", ")
            return "'\(path)' is not a field Herald derives (known: \(known))"
        }
        var union = Set<String>()
        for event in events {
            guard let keys = topLevelKeys(of: event) else { return nil }
            if keys.contains(first) { return nil }
            union.formUnion(keys)
        }
        guard !events.isEmpty else { return nil }
        let names = events.count <= 3 ? events.map(\.rawValue).joined(separator: ", ") : "these events"
        return
            "'\(path)' can never exist: payloads of \(names) have no '\(first)' (they have \(union.sorted().joined(separator: ", ")), and the derived fields event.* and recipient)"
    }
}
