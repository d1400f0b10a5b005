import HeraldCore

/// Which event a pasted payload is, for `herald explain` and the console's route playground:
/// the event named, else the envelope's `event` (its `ctx` is the payload), else a courier
/// message's `template_type`.
package enum ExplainInput {
    /// The event and the payload to route, or what is wrong, in words.
    package enum Choice {
        case event(EventName, JSONValue)
        /// The payload is not an object, the name is unknown, or nothing says which event it is.
        case problem(String)
    }

    /// - Parameter name: the event the operator picked (`--event`), if any.
    package static func choose(name: String?, root: JSONValue) -> Choice {
        guard root.kind == .object else { return .problem("the payload must be a JSON object") }
        if let name {
            guard let event = EventName(name), event.isKnown || event.isCourier else {
                return .problem(
                    "unknown event '\(name)'; expected flow.phase such as registration.after, or courier.<template_type>"
                )
            }
            if let ctx = root["ctx"], ctx.kind == .object, root["event"] != nil { return .event(event, ctx) }
            return .event(event, root)
        }
        if let text = root["event"]?.string, let event = EventName(text), let ctx = root["ctx"], ctx.kind == .object {
            return .event(event, ctx)
        }
        if let type = root["template_type"]?.string, let event = EventName("courier.\(type)") {
            return .event(event, root)
        }
        return .problem("say which event the payload is (such as registration.after)")
    }
}
