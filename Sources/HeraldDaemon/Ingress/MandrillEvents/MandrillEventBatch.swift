import HeraldCore

/// The events of one Mandrill webhook post: the `mandrill_events` JSON array, each element a
/// Herald event `mandrill.<type>` with the key that recognises Mandrill's redelivery of it.
/// Lenient as Mandrill asks ("new keys may be added"): unknown keys pass, and an event of a type
/// Herald does not know is counted and skipped, never a reason to refuse the batch.
package struct MandrillEventBatch {
    package struct Item {
        package let name: EventName
        package let payload: JSONValue
        /// Message events: `msg._id`, event, `ts` (and the URL of a click); sync events: type,
        /// action, address, `ts` (reference/mandrill-webhooks.md §9).
        package let dedupeKey: String
        /// The event's `ts` (Unix seconds), which the signature covers; nil when it has none.
        package let timestamp: Int64?

        /// True when the event happened before `oldest` or has no `ts`: its redelivery key may
        /// have been forgotten already, so it could be a captured batch posted again (Mandrill's
        /// signature has no time of its own and never expires).
        package func isStale(oldest: WallClock) -> Bool {
            guard let timestamp else { return true }
            return timestamp < oldest.millisecondsSinceEpoch / 1000
        }
    }

    /// Mandrill posts at most 1,000 events at once.
    package static let maxEvents = 1000

    package let items: [Item]
    /// Events of types Herald does not know (a newer Mandrill), by type.
    package let unknownTypes: [String]

    package init(_ text: String, limits: JSONLimits) throws(IngressRejection) {
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: Array(text.utf8), limits: limits)
        } catch {
            throw IngressRejection(.badMandrillBatch, "mandrill_events is not valid JSON: \(error.description)")
        }
        let root = document.root
        guard root.kind == .array else {
            throw IngressRejection(.badMandrillBatch, "mandrill_events must be a JSON array")
        }
        guard root.count <= MandrillEventBatch.maxEvents else {
            throw IngressRejection(
                .badMandrillBatch, "mandrill_events holds \(root.count) events; Mandrill sends at most 1,000")
        }
        var items: [Item] = []
        var unknown: [String] = []
        for (position, event) in root.elements.enumerated() {
            guard event.kind == .object else {
                throw IngressRejection(
                    .badMandrillBatch, "event \(position + 1) of mandrill_events is not a JSON object")
            }
            let type = MandrillEventBatch.type(of: event)
            guard let type, EventName.mandrillEventTypes.contains(type) else {
                unknown.append(type ?? "(none)")
                continue
            }
            items.append(
                Item(
                    name: EventName(mandrillEvent: type), payload: event, dedupeKey: MandrillEventBatch.key(event, type),
                    timestamp: MandrillEventBatch.timestamp(of: event)))
        }
        self.items = items
        self.unknownTypes = unknown
    }

    /// `event` for message events; `type` for sync events, whose list names Mandrill has been
    /// renaming (denylist, safelist): both spellings count.
    private static func type(of event: JSONValue) -> String? {
        if let name = event["event"]?.string { return name }
        switch event["type"]?.string {
        case "blacklist"?, "denylist"?: return "blacklist"
        case "whitelist"?, "safelist"?, "allowlist"?: return "whitelist"
        case let other?: return other
        case nil: return nil
        }
    }

    /// `ts` as whole seconds: an integer, or a number with a fraction cut off.
    private static func timestamp(of event: JSONValue) -> Int64? {
        guard let value = event["ts"] else { return nil }
        if let seconds = value.int { return Int64(seconds) }
        guard let number = value.number, number.isFinite, abs(number) < 1e15 else { return nil }
        return Int64(number.rounded(.down))
    }

    private static func key(_ event: JSONValue, _ type: String) -> String {
        func text(_ value: JSONValue?) -> String {
            guard let value, !value.isNull else { return "" }
            return value.string ?? String(decoding: value.json.serialized(), as: UTF8.self)
        }
        var parts = ["mandrill", type, text(event["ts"])]
        if type == "blacklist" || type == "whitelist" {
            parts += [text(event["action"]), text(event["reject"]?["email"])]
        } else {
            parts += [text(event["msg"]?["_id"] ?? event["_id"]), text(event["url"])]
        }
        return parts.joined(separator: "\u{1F}")
    }
}
