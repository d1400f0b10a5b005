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

    init(path: Substring) throws(Unknown) {
        switch path {
        case "/healthz": self = .health
        case "/readyz": self = .readiness
        case "/metrics": self = .metrics
        case "/v1/events", "/v1/events/": self = .envelope
        case "/v1/courier", "/v1/courier/": self = .courier
        default:
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0].isEmpty, parts[1] == "v1", parts[2] == "events" else {
                throw Unknown(message: "no such path; Herald serves /v1/events/{flow}/{phase}, /v1/events, /v1/courier, /healthz, /readyz, /metrics")
            }
            guard EventName.flows.contains(String(parts[3])) else {
                throw Unknown(message: "unknown flow '\(parts[3])'; expected one of \(EventName.flows.joined(separator: ", "))")
            }
            guard EventName.phases.contains(String(parts[4])) else {
                throw Unknown(message: "unknown phase '\(parts[4])'; expected before or after")
            }
            self = .flowEvent(EventName(flow: String(parts[3]), phase: String(parts[4])))
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
