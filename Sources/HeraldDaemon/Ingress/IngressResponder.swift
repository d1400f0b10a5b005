import HeraldConfig
import HeraldCore
import HeraldHTTP
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
    }

    private let snapshot: Mutex<Snapshot>
    private let intake: any JobIntake
    private let ids: TimeOrderedIDGenerator
    private let logger: Logger
    private let metrics: HeraldMetrics?

    init(
        configuration: HeraldConfiguration, intake: any JobIntake, ids: TimeOrderedIDGenerator, logger: Logger,
        metrics: HeraldMetrics? = nil
    ) {
        self.metrics = metrics
        self.snapshot = Mutex(IngressResponder.snapshot(of: configuration))
        self.intake = intake
        self.ids = ids
        self.logger = logger
    }

    static func snapshot(of configuration: HeraldConfiguration) -> Snapshot {
        Snapshot(
            rules: configuration.rules,
            authenticator: IngressAuthenticator(credentials: configuration.ingress.credentials),
            jsonLimits: JSONLimits(maxDepth: 64, maxBytes: configuration.ingress.limits.maxBodyBytes))
    }

    /// Applies a new configuration to the events that arrive from now on.
    func apply(_ configuration: HeraldConfiguration) {
        let next = IngressResponder.snapshot(of: configuration)
        snapshot.withLock { $0 = next }
    }

    // MARK: HTTPResponder

    func screen(_ head: HTTPRequestHead) -> HTTPResponse? {
        let route: IngressRoute
        do {
            route = try IngressRoute(path: head.path)
        } catch {
            return .error(404, error.message)
        }
        if !route.acceptsAnyMethod {
            guard head.method == "GET" || head.method == "HEAD" else {
                var response = HTTPResponse.error(405, "use GET")
                response.headers.add(name: "Allow", value: "GET, HEAD")
                return response
            }
            return nil
        }
        let authenticator = snapshot.withLock { $0.authenticator }
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
            writer.respond(intake.isReady ? .text(200, "ready\n") : .text(503, "not ready: jobs cannot be stored\n"))
        case .metrics:
            writer.respond(metrics?.response() ?? .error(404, "metrics are off"))
        case .flowEvent, .envelope, .courier:
            receive(request, route: route, writer: writer)
        }
    }

    private func receive(_ request: HTTPRequest, route: IngressRoute, writer: HTTPResponseWriter) {
        let receivedAt = WallClock.now
        let arrived = ContinuousClock.now
        let current = snapshot.withLock { $0 }
        let decoded: (name: EventName, payload: JSONValue)
        do {
            decoded = try IngressDecoding.decode(request.body, route: route, limits: current.jsonLimits)
        } catch {
            logger.info("request rejected", ["status": .int(400), "reason": .string(error.message)])
            writer.respond(.error(400, error.message))
            return
        }
        metrics?.eventReceived(decoded.name)
        let triggerID = request.head.headers["Ory-Webhook-Trigger-ID"]
        let event = Event(id: ids.next(), name: decoded.name, receivedAt: receivedAt, triggerID: triggerID, payload: decoded.payload)
        let plan = current.rules.plan(event, ids: ids)
        metrics?.eventRouted(event.name, routes: plan.routes)
        for missing in plan.missingPaths {
            logger.warning(
                "template path missing from payload; rendered its default or empty",
                ["event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                 "route": .string(missing.route), "path": .string(missing.path)])
        }
        let body = IngressResponder.acceptedBody(event: event, plan: plan, duplicate: false)
        let logger = self.logger
        let metrics = self.metrics
        let started = ContinuousClock.now
        intake.accept(plan.jobs) { result in
            switch result {
            case .success:
                logger.info(
                    plan.routes.isEmpty ? "event accepted; no route matched" : "event accepted",
                    ["event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                     "trigger_id": .string(event.triggerID ?? "-"), "routes": .string(plan.routes.joined(separator: ",")),
                     "jobs": .int(plan.jobs.count), "ack_ms": .milliseconds(ContinuousClock.now - started)])
                metrics?.eventAcknowledged(latency: ContinuousClock.now - arrived)
                writer.respond(.json(202, body))
            case .failure(let error):
                logger.error(
                    "event not stored; answered 503 so that Kratos retries",
                    ["event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                     "reason": .string(error.description)])
                writer.respond(.error(503, "jobs cannot be stored right now; retry later"))
            }
        }
    }

    /// `{"event_id": …, "event": …, "jobs": N, "routes": [...], "duplicate": false}`
    static func acceptedBody(event: Event, plan: EventPlan, duplicate: Bool) -> [UInt8] {
        let body: JSON = [
            "event_id": .string(event.id.description),
            "event": .string(event.name.rawValue),
            "jobs": .int(Int64(plan.jobs.count)),
            "routes": .array(plan.routes.map(JSON.string)),
            "duplicate": .bool(duplicate),
        ]
        return body.serialized()
    }
}

extension HTTPResponse {
    /// A JSON error body `{"error": "..."}` with `status`.
    static func error(_ status: Int, _ message: String) -> HTTPResponse {
        .json(status, JSON.object(["error": .string(message)]).serialized())
    }
}
