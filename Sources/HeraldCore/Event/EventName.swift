/// The name of an event: `<flow>.<phase>` for Kratos web hooks (`registration.after`),
/// `courier.<template_type>` for courier messages (`courier.verification_code_valid`) and
/// `mandrill.<event>` for Mandrill's delivery events (`mandrill.hard_bounce`).
package struct EventName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The self-service flows Kratos runs hooks for.
    package static let flows = ["registration", "login", "verification", "recovery", "settings"]
    /// The hook phases.
    package static let phases = ["before", "after"]
    /// The courier's template types (reference/kratos-webhooks.md §5).
    package static let courierTemplateTypes = [
        "recovery_valid", "recovery_invalid", "recovery_code_valid", "recovery_code_invalid",
        "verification_valid", "verification_invalid", "verification_code_valid", "verification_code_invalid",
        "login_code_valid", "registration_code_valid", "verifiable_address_changed", "authenticator_key_added",
        "stub",
    ]

    /// Mandrill's webhook events (reference/mandrill-webhooks.md §3): message events by their
    /// `event`, and the sync events by their `type` (`blacklist`, `whitelist`).
    package static let mandrillEventTypes = [
        "send", "deferral", "hard_bounce", "soft_bounce", "delivered", "open", "click", "spam", "unsub", "reject",
        "blacklist", "whitelist",
    ]

    /// Every event name Herald knows of: the ten flow events, the courier template types and
    /// Mandrill's events.
    package static let known: [EventName] =
        flows.flatMap { flow in phases.map { EventName(flow: flow, phase: $0) } }
        + courierTemplateTypes.map { EventName(courierTemplate: $0) }
        + mandrillEventTypes.map { EventName(mandrillEvent: $0) }

    package let rawValue: String
    /// The length in UTF-8 bytes of the first segment, before the `.`.
    private let flowLength: Int
    /// Worked out once: this is asked on the path of every request.
    private let kind: Kind

    /// Validates `text` as `segment.segment` where segments are lower-case letters, digits and `_`.
    package init?(_ text: String) {
        guard let dot = text.firstIndex(of: "."),
            EventName.isSegment(text[..<dot]),
            EventName.isSegment(text[text.index(after: dot)...])
        else { return nil }
        self.rawValue = text
        self.flowLength = text.utf8.distance(from: text.startIndex, to: dot)
        self.kind = EventName.kind(flow: text[..<dot], phase: text[text.index(after: dot)...])
    }

    package init(flow: String, phase: String) {
        self.rawValue = flow + "." + phase
        self.flowLength = flow.utf8.count
        self.kind = EventName.kind(flow: flow[...], phase: phase[...])
    }

    package init(courierTemplate templateType: String) {
        self.init(flow: "courier", phase: templateType)
    }

    package init(mandrillEvent type: String) {
        self.init(flow: "mandrill", phase: type)
    }

    /// `registration`, `login`, …, or `courier`.
    package var flow: Substring { rawValue[..<dot] }
    /// `before`/`after`, or the courier template type.
    package var phase: Substring { rawValue[rawValue.utf8.index(after: dot)...] }

    private var dot: String.Index { rawValue.utf8.index(rawValue.startIndex, offsetBy: flowLength) }

    /// True for the courier channel's events.
    package var isCourier: Bool { flow == "courier" }

    /// True for Mandrill's delivery events.
    package var isMandrill: Bool { kind == .mandrill }

    /// True for the ten events a Kratos web hook can send.
    package var isFlowEvent: Bool { kind == .flow }

    /// True when Herald knows this event (a known flow event, courier template type or Mandrill
    /// event).
    package var isKnown: Bool { kind != .unknown }

    private enum Kind: UInt8 { case flow, courier, mandrill, unknown }

    private static func kind(flow: Substring, phase: Substring) -> Kind {
        if flows.contains(where: { $0 == flow }) && phases.contains(where: { $0 == phase }) { return .flow }
        if flow == "courier" && courierTemplateTypes.contains(where: { $0 == phase }) { return .courier }
        if flow == "mandrill" && mandrillEventTypes.contains(where: { $0 == phase }) { return .mandrill }
        return .unknown
    }

    package var description: String { rawValue }

    package static func < (lhs: EventName, rhs: EventName) -> Bool { lhs.rawValue < rhs.rawValue }
    package static func == (lhs: EventName, rhs: EventName) -> Bool { lhs.rawValue == rhs.rawValue }
    package func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    static func isSegment(_ text: Substring) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
            }
    }
}

/// A route's `events:` entry: an event name where any segment may be `*`.
package struct EventPattern: Sendable, Hashable, CustomStringConvertible {
    package let flow: String
    package let phase: String

    /// Parses `registration.after`, `*.after`, `courier.*`, `*.*`; nil for anything else.
    package init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        for part in parts where part != "*" {
            guard EventName.isSegment(part) else { return nil }
        }
        flow = String(parts[0])
        phase = String(parts[1])
    }

    package func matches(_ name: EventName) -> Bool {
        (flow == "*" || name.flow == flow) && (phase == "*" || name.phase == phase)
    }

    /// The known events this pattern matches; empty means it can never match a known event.
    package var knownMatches: [EventName] { EventName.known.filter(matches) }

    package var description: String { "\(flow).\(phase)" }
}
