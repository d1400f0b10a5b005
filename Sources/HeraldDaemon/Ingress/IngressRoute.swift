import HeraldCore

/// The ingress paths (design §3).
enum IngressRoute: Equatable {
    /// `/v1/events/{flow}/{phase}`: a Kratos web hook; the path names the event.
    case flowEvent(EventName)
    /// `/v1/events`: the envelope `{"event": "registration.after", "ctx": {...}}`.
    case envelope
    /// `/v1/courier`: a courier message; its `template_type` names the event.
    case courier
    case health
    case readiness
    case metrics

    /// Why a path is not served: 404 with a message.
    struct Unknown: Error {
        let message: String
    }

    /// The ten flow events, made once.
    private static let flowEvents: [String: EventName] = Dictionary(
        uniqueKeysWithValues: EventName.known.filter(\.isFlowEvent).map { ($0.rawValue, $0) })

    init(path: Substring) throws(Unknown) {
        switch path {
        case "/healthz": self = .health
        case "/readyz": self = .readiness
        case "/metrics": self = .metrics
        case "/v1/events", "/v1/events/": self = .envelope
        case "/v1/courier", "/v1/courier/": self = .courier
        default:
            let prefix = "/v1/events/"
            guard path.hasPrefix(prefix), let slash = path.dropFirst(prefix.count).firstIndex(of: "/") else {
                throw Unknown(message: "no such path; Herald serves /v1/events/{flow}/{phase}, /v1/events, /v1/courier, /healthz, /readyz, /metrics")
            }
            let flow = path[path.index(path.startIndex, offsetBy: prefix.count)..<slash]
            let phase = path[path.index(after: slash)...]
            guard let flowName = EventName.flows.first(where: { $0 == flow }) else {
                throw Unknown(message: "unknown flow '\(flow)'; expected one of \(EventName.flows.joined(separator: ", "))")
            }
            guard let phaseName = EventName.phases.first(where: { $0 == phase }) else {
                throw Unknown(message: "unknown phase '\(phase)'; expected before or after")
            }
            self = .flowEvent(IngressRoute.flowEvents[flowName + "." + phaseName] ?? EventName(flow: flowName, phase: phaseName))
        }
    }

    /// Event paths take any method (Kratos may be configured with any verb); the probes take GET/HEAD.
    var acceptsAnyMethod: Bool {
        switch self {
        case .flowEvent, .envelope, .courier: return true
        case .health, .readiness, .metrics: return false
        }
    }
}
