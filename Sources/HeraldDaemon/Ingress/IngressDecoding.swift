import HeraldCore

/// Turns a request body into an event name and payload (design §3, §4): strict about what Herald
/// needs (a JSON object), lenient about everything Ory varies.
enum IngressDecoding {
    static func decode(_ body: [UInt8], route: IngressRoute, limits: JSONLimits) throws(IngressRejection) -> (
        EventName, JSONValue
    ) {
        guard !body.isEmpty else { throw IngressRejection(.badBody, "empty body; expected a JSON object") }
        let document: JSONDocument
        do throws(JSONParseError) {
            document = try JSONDocument(parsing: body, limits: limits)
        } catch {
            throw IngressRejection(.badBody, "body is not valid JSON: \(error.description)", cause: error)
        }
        let root = document.root
        guard root.kind == .object else {
            throw IngressRejection(.badBody, "body must be a JSON object, found \(describe(root.kind))")
        }
        switch route {
        case .flowEvent(let name):
            return (name, root)
        case .envelope:
            guard let nameValue = root["event"], let text = nameValue.string else {
                throw IngressRejection(.badBody, "envelope needs \"event\": \"flow.phase\" and \"ctx\": {...}")
            }
            guard let name = EventName(text), name.isFlowEvent || name.isCourier else {
                throw IngressRejection(
                    .badBody, "unknown event '\(text)'; expected flow.phase such as registration.after")
            }
            guard let ctx = root["ctx"], ctx.kind == .object else {
                throw IngressRejection(.badBody, "envelope needs \"ctx\" to be the JSON object Kratos rendered")
            }
            return (name, ctx)
        case .courier:
            guard let type = root["template_type"]?.string, let name = EventName("courier.\(type)") else {
                throw IngressRejection(
                    .badBody, "courier message needs \"template_type\" (such as verification_code_valid)")
            }
            return (name, root)
        case .health, .readiness, .metrics, .mandrillEvents, .forgetPerson:
            throw IngressRejection(.badBody, "not an event path")
        }
    }

    private static func describe(_ kind: JSONValue.Kind) -> String {
        switch kind {
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        case .object: return "an object"
        }
    }
}
