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

    private func receive(_ request: HTTPRequest, route: IngressRoute, writer: HTTPResponseWriter) {
        let receivedAt = WallClock.now
        let arrived = ContinuousClock.now
        let span = IngressSpan(request.head)
        let current = running.current.ingress
        let query: HookQuery
        do {
            query = try HookQuery(request.head.query)
        } catch {
            logger.info("request rejected", ["status": .int(error.status), "reason": .string(error.message)])
            writer.respond(.error(error.status, error.clientMessage))
            return
        }
        let decoded: (name: EventName, payload: JSONValue)
        do {
            decoded = try IngressDecoding.decode(request.body, route: route, limits: current.jsonLimits)
        } catch {
            logger.info("request rejected", ["status": .int(error.status), "reason": .string(error.message)])
            writer.respond(.error(error.status, error.clientMessage))
            return
        }
        metrics?.eventReceived(decoded.name)
        let triggerID = request.head.headers["Ory-Webhook-Trigger-ID"]
        let event = Event(
            id: ids.next(), name: decoded.name, receivedAt: receivedAt, triggerID: triggerID, payload: decoded.payload,
            hookMethod: query.method, trace: span.trace)
        switch IngressDecision.decide(event, rules: current.rules, decideOnly: query.decide) {
        case .deny(let denials):
            logger.info(
                "event denied",
                [
                    "event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                    "trace_id": .string(span.trace.traceID.hex),
                    "routes": .string(denials.map(\.route).joined(separator: ",")), "status": .int(denials.status),
                ])
            recentEvents?.record(event, .denied(routes: denials.map(\.route), status: denials.status))
            span.end(event, status: denials.status, jobs: 0, routes: denials.map(\.route), into: spans)
            writer.respond(.json(denials.status, denials.kratosBody.serialized()))
            return
        case .allow:
            recentEvents?.record(event, .allowed)
            // A pre-persist hook only decides; the post-persist hook of the same flow plans the jobs.
            writer.respond(HTTPResponse(status: 204))
            return
        case .plan:
            break
        }
        var claimed: [DedupeKey] = []
        if let key = IngressResponder.dedupeKey(for: event, body: request.body, query: query) {
            let logger = self.logger
            let spans = self.spans
            let claim = dedupe.claim(key, now: receivedAt) { stored in
                // The first request with this key finished: answer as it did.
                IngressResponder.answerDuplicate(
                    event, stored: stored, span: span, spans: spans, writer: writer, logger: logger)
            }
            switch claim {
            case .claimed: claimed.append(DedupeKey(key, expiresAt: receivedAt.adding(current.dedupeWindow)))
            case .pending: return
            case .duplicate:
                recentEvents?.record(event, .duplicate)
                IngressResponder.answerDuplicate(
                    event, stored: true, span: span, spans: spans, writer: writer, logger: logger)
                return
            }
        }
        let plan = self.plan(event, rules: current.rules, receivedAt: receivedAt, claimed: &claimed)
        store(event, plan: plan, claimed: claimed, arrived: arrived, span: span, writer: writer)
    }

    /// Plans the event's jobs: claims each route's `dedupe:` key (a route whose key is taken plans
    /// nothing), and logs steps that planned nothing and template paths the payload lacked.
    func plan(_ event: Event, rules: RuleSet, receivedAt: WallClock, claimed: inout [DedupeKey]) -> EventPlan {
        var plan = rules.plan(event, ids: ids)
        metrics?.eventRouted(event.name, routes: plan.routes)
        for index in plan.routePlans.indices {
            guard let rule = plan.routePlans[index].dedupe else { continue }
            // Taken, or being taken by an event that is being stored right now: that one fires it.
            if case .claimed = dedupe.claim(rule.key, now: receivedAt) {
                claimed.append(
                    DedupeKey(rule.key, expiresAt: receivedAt.adding(rule.window), route: plan.routePlans[index].route))
            } else {
                logger.info(
                    "route suppressed by its dedupe window",
                    [
                        "event_id": .string(event.id.description), "trace_id": .string(event.traceIDText),
                        "route": .string(plan.routePlans[index].route),
                    ])
                plan.routePlans[index].jobs = []
            }
        }
        for routePlan in plan.routePlans {
            for (action, reason) in routePlan.nothing {
                logger.warning(
                    "step planned nothing",
                    [
                        "event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                        "trace_id": .string(event.traceIDText), "route": .string(routePlan.route),
                        "action": .string(action), "reason": .string(reason),
                    ])
                metrics?.stepPlannedNothing(route: routePlan.route)
            }
        }
        // One line per route that met missing paths, naming them all.
        var missingByRoute: [(route: String, paths: [String])] = []
        for missing in plan.missingPaths {
            if let index = missingByRoute.firstIndex(where: { $0.route == missing.route }) {
                missingByRoute[index].paths.append(missing.path)
            } else {
                missingByRoute.append((missing.route, [missing.path]))
            }
        }
        for (route, paths) in missingByRoute {
            logger.warning(
                "template paths missing from the payload; rendered their default or empty",
                [
                    "event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                    "trace_id": .string(event.traceIDText), "route": .string(route),
                    "paths": .string(paths.joined(separator: ",")),
                ])
        }
        return plan
    }

    /// Hands the jobs to the intake and answers once they are stored (202) or cannot be (503).
    private func store(
        _ event: Event, plan: EventPlan, claimed: [DedupeKey], arrived: ContinuousClock.Instant, span: IngressSpan,
        writer: HTTPResponseWriter
    ) {
        let logger = self.logger
        let spans = self.spans
        let dedupe = self.dedupe
        let metrics = self.metrics
        let recentEvents = self.recentEvents
        let started = ContinuousClock.now
        let jobs = plan.jobs
        intake.accept(jobs, dedupeKeys: claimed) { result in
            switch result {
            case .success(let receipt) where receipt.duplicate:
                // Another instance stored this event first (a shared store's verdict).
                dedupe.commit(claimed.map(\.key))
                recentEvents?.record(event, .duplicate)
                IngressResponder.answerDuplicate(
                    event, stored: true, span: span, spans: spans, writer: writer, logger: logger)
            case .success(let receipt):
                dedupe.commit(claimed.map(\.key))
                var plan = plan
                for index in plan.routePlans.indices
                where receipt.suppressedRoutes.contains(plan.routePlans[index].route) {
                    logger.info(
                        "route suppressed by its dedupe window",
                        [
                            "event_id": .string(event.id.description), "trace_id": .string(event.traceIDText),
                            "route": .string(plan.routePlans[index].route),
                        ])
                    plan.routePlans[index].jobs = []
                }
                let body = IngressResponder.acceptedBody(event: event, plan: plan, duplicate: false)
                let jobs = plan.jobs
                logger.info(
                    plan.routes.isEmpty ? "event accepted; no route matched" : "event accepted",
                    [
                        "event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                        "trigger_id": .string(event.triggerID ?? "-"), "trace_id": .string(span.trace.traceID.hex),
                        "routes": .string(plan.routes.joined(separator: ",")),
                        "jobs": .int(jobs.count), "ack_ms": .milliseconds(ContinuousClock.now - started),
                    ])
                metrics?.eventAcknowledged(latency: ContinuousClock.now - arrived)
                recentEvents?.record(event, .accepted(routes: plan.routes, jobs: jobs.count))
                span.end(event, status: 202, jobs: jobs.count, routes: plan.routes, into: spans)
                writer.respond(.json(202, body))
            case .failure(let error):
                dedupe.release(claimed.map(\.key))
                recentEvents?.record(event, .notStored)
                logger.error(
                    "event not stored; answered 503 so that Kratos retries",
                    [
                        "event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                        "trace_id": .string(span.trace.traceID.hex), "reason": .string(error.description),
                    ])
                span.end(event, status: 503, jobs: 0, routes: plan.routes, into: spans)
                writer.respond(.error(503, "jobs cannot be stored right now; retry later"))
            }
        }
    }

    private static func answerDuplicate(
        _ event: Event, stored: Bool, span: IngressSpan, spans: (any SpanSink)?, writer: HTTPResponseWriter,
        logger: Logger
    ) {
        guard stored else {
            span.end(event, status: 503, jobs: 0, routes: [], into: spans)
            writer.respond(.error(503, "the first delivery of this event could not be stored; retry later"))
            return
        }
        logger.info(
            "duplicate event; already accepted",
            [
                "event": .string(event.name.rawValue), "trace_id": .string(span.trace.traceID.hex),
                "trigger_id": .string(event.triggerID ?? "-"),
            ])
        span.end(event, status: 202, jobs: 0, routes: [], into: spans, duplicate: true)
        writer.respond(.json(202, acceptedBody(event: event, plan: EventPlan(), duplicate: true)))
    }

    /// What recognises Kratos' retries of one call: `Ory-Webhook-Trigger-ID` (the same on every
    /// retry); without it (Kratos v1.x, `emit_analytics_event: false`) a digest of the event name,
    /// the hook's query and the body as Kratos rendered it, which a retry repeats byte for byte.
    /// Not the flow id: a settings flow can be submitted again, and a two-factor login runs its
    /// after hooks once per factor, both with the same flow id; those are new events, and their
    /// bodies differ (the changed identity, the session's methods).
    static func dedupeKey(for event: Event, body: [UInt8], query: HookQuery = HookQuery()) -> String? {
        if let trigger = event.triggerID, !trigger.isEmpty { return "trigger:\(trigger)" }
        // The digest, not the body: the key is stored with the jobs and must not hold personal
        // data, codes or links a second time.
        var hashing = Hashing<SHA256>()
        hashing.update("\(event.name)\n\(query.decide ? "decide" : "")\n\(query.method ?? "")\n".utf8)
        hashing.update(body)
        return (event.name.isCourier ? "courier:" : "body:") + Hex.lowercase(hashing.finalize())
    }

    /// `{"event_id": …, "event": …, "jobs": N, "routes": [...], "duplicate": false}`
    static func acceptedBody(event: Event, plan: EventPlan, duplicate: Bool) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 160)
        writer.beginObject()
        writer.key("event_id")
        writer.writeString(event.id.description)
        writer.key("event")
        writer.writeString(event.name.rawValue)
        writer.key("jobs")
        writer.write(plan.routePlans.reduce(0) { $0 + $1.jobs.count })
        writer.key("routes")
        writer.beginArray()
        for route in plan.routePlans { writer.writeString(route.route) }
        writer.endArray()
        writer.key("duplicate")
        writer.write(duplicate)
        writer.endObject()
        return writer.bytes
    }
}
