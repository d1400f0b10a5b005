import HeraldCore

/// The ingress paths (design §3).
enum IngressRoute: Equatable {
    /// `/v1/events/{flow}/{phase}`: a Kratos web hook; the path names the event.
    case flowEvent(EventName)
    /// `/v1/events`: the envelope `{"event": "registration.after", "ctx": {...}}`.
    case envelope
    /// `/v1/courier`: a courier message; its `template_type` names the event.
    case courier
    /// `/v1/mandrill/events`: Mandrill's webhook posts (its delivery events), signed by Mandrill.
    case mandrillEvents
    /// `/v1/personal-data/forget`: `herald forget` over HTTP, behind `privacy_api`'s credentials.
    case forgetPerson
    case health
    case readiness
    case metrics

    /// Why a path is not served: 404 with a message.
    /// Every path served, as bytes, with its route: matching a request is a few byte comparisons
    /// (this runs twice per request, in `screen` and in `respond`).
    private static let table: [(path: [UInt8], route: IngressRoute)] = {
        var table: [(String, IngressRoute)] = [
            ("/healthz", .health), ("/readyz", .readiness), ("/metrics", .metrics),
            ("/v1/events", .envelope), ("/v1/events/", .envelope), ("/v1/courier", .courier),
            ("/v1/courier/", .courier), ("/v1/mandrill/events", .mandrillEvents),
            ("/v1/personal-data/forget", .forgetPerson),
        ]
        for name in EventName.known where name.isFlowEvent {
            table.append(("/v1/events/\(name.flow)/\(name.phase)", .flowEvent(name)))
        }
        return table.map { (Array($0.0.utf8), $0.1) }
    }()

    init(path: Substring) throws(IngressRejection) {
        let match =
            path.utf8.withContiguousStorageIfAvailable { bytes -> IngressRoute? in
                IngressRoute.table.first { entry in
                    entry.path.count == bytes.count && entry.path.elementsEqual(bytes)
                }?.route
            } ?? IngressRoute.table.first { $0.path.elementsEqual(path.utf8) }?.route
        guard let match else { throw IngressRoute.unknown(path) }
        self = match
    }

    /// Says what is wrong with a path that is not served.
    private static func unknown(_ path: Substring) -> IngressRejection {
        let prefix = "/v1/events/"
        guard path.hasPrefix(prefix) else {
            return IngressRejection(
                .unknownPath,
                "no such path; Herald serves /v1/events/{flow}/{phase}, /v1/events, /v1/courier, /v1/mandrill/events, /healthz, /readyz, /metrics"
            )
        }
        let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return IngressRejection(.unknownPath, "no such path; event paths are /v1/events/{flow}/{phase}")
        }
        if !EventName.flows.contains(String(parts[0])) {
            return IngressRejection(
                .unknownPath, "unknown flow '\(parts[0])'; expected one of \(EventName.flows.joined(separator: ", "))")
        }
        return IngressRejection(.unknownPath, "unknown phase '\(parts[1])'; expected before or after")
    }

    /// Event paths take any method (Kratos may be configured with any verb); the probes take GET/HEAD.
    var acceptsAnyMethod: Bool {
        switch self {
        case .flowEvent, .envelope, .courier: return true
        case .health, .readiness, .metrics, .mandrillEvents, .forgetPerson: return false
        }
    }
}
