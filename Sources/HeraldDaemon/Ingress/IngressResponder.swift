import HeraldConfig
import HeraldConsole
import HeraldCore
import HeraldHTTP
import HeraldJobs
import Synchronization

/// Answers Ory: authenticates, decodes the event, routes it, hands its jobs to the intake, and
/// answers 202 once they are stored (design §2, §3). Runs on the HTTP server's thread; never
/// performs a plugin call.
final class IngressResponder: HTTPResponder {
    /// What a config load decides; swapped whole on reload.
    struct Snapshot: Sendable {
        let rules: RuleSet
        let authenticator: IngressAuthenticator
        let jsonLimits: JSONLimits
        let dedupeWindow: Duration
        let mandrill: MandrillWebhookSettings?
        /// `privacy_api`'s own credentials; nil when the personal-data API is off.
        let privacyAuthenticator: IngressAuthenticator?
    }

    /// The snapshot in force (`running.current.ingress`), swapped whole on reload.
    let running: RunningConfiguration
    let intake: any JobIntake
    let ids: TimeOrderedIDGenerator
    let logger: Logger
    let dedupe: DedupeIndex
    let metrics: HeraldMetrics?
    /// What the console shows of recent events; nil (nothing recorded) when the console is off.
    let recentEvents: RecentEvents?
    /// Where the ingress span of each event of a sampled trace goes; nil when tracing is off.
    let spans: (any SpanSink)?
    /// Performs `POST /v1/personal-data/forget` (`privacy_api`); nil: not served.
    let personalData: (any QueueControl)?

    init(
        running: RunningConfiguration, intake: any JobIntake, dedupe: DedupeIndex, ids: TimeOrderedIDGenerator,
        logger: Logger, metrics: HeraldMetrics? = nil, recentEvents: RecentEvents? = nil,
        spans: (any SpanSink)? = nil, personalData: (any QueueControl)? = nil
    ) {
        self.metrics = metrics
        self.recentEvents = recentEvents
        self.spans = spans
        self.personalData = personalData
        self.running = running
        self.dedupe = dedupe
        self.intake = intake
        self.ids = ids
        self.logger = logger
    }

    static func snapshot(of configuration: HeraldConfiguration) -> Snapshot {
        Snapshot(
            rules: configuration.rules,
            authenticator: IngressAuthenticator(credentials: configuration.ingress.credentials),
            jsonLimits: JSONLimits(maxDepth: 64, maxBytes: configuration.ingress.limits.maxBodyBytes),
            dedupeWindow: configuration.ingress.dedupeWindow, mandrill: configuration.ingress.mandrillWebhooks,
            privacyAuthenticator: configuration.privacyAPI.map { IngressAuthenticator(credentials: $0) })
    }

    // MARK: HTTPResponder

    func screen(_ head: HTTPRequestHead) -> HTTPResponse? {
        let route: IngressRoute
        do {
            route = try IngressRoute(path: head.path)
        } catch {
            return .error(error.status, error.clientMessage)
        }
        if route == .mandrillEvents { return screenMandrill(head) }
        if route == .forgetPerson { return screenForget(head) }
        if !route.acceptsAnyMethod {
            guard head.method == "GET" || head.method == "HEAD" else {
                var response = HTTPResponse.error(405, "use GET")
                response.headers.add(name: "Allow", value: "GET, HEAD")
                return response
            }
            return nil
        }
        let authenticator = running.current.ingress.authenticator
        guard authenticator.authorizes(head.headers) else {
            logger.warning("request refused: missing or wrong credentials", ["path": .string(String(head.path))])
            return .error(401, "missing or wrong credentials")
        }
        return nil
    }

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        guard let route = try? IngressRoute(path: request.head.path) else {
            writer.respond(.error(404, "no such path"))
            return
        }
        switch route {
        case .health:
            writer.respond(.text(200, "ok\n"))
        case .readiness:
            writer.respond(intake.isReady ? .text(200, "ready\n") : .text(503, "not ready: \(intake.notReadyReason)\n"))
        case .metrics:
            writer.respond(metrics?.response() ?? .error(404, "metrics are off"))
        case .flowEvent, .envelope, .courier:
            receive(request, route: route, writer: writer)
        case .mandrillEvents:
            receiveMandrill(request, writer: writer)
        case .forgetPerson:
            forgetPerson(request, writer: writer)
        }
    }
}
