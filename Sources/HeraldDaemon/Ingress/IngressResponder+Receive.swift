import HeraldConsole
import HeraldCore
import HeraldHTTP
import HeraldJobs

/// The event path: decodes a hook's request, applies the ingress decision, claims the dedupe
/// key, plans the jobs and answers once the intake stored them (design §2, §3).
extension IngressResponder {
    func receive(_ request: HTTPRequest, route: IngressRoute, writer: HTTPResponseWriter) {
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
        let triggerID = request.head.headers["Ory-Webhook-Trigger-ID"]
        // Kratos' retry of a hook call whose jobs are stored: its key (the trigger id, or a digest
        // of the exact bytes already accepted) needs nothing from the body, so the body is not
        // parsed again. Only the flow paths name the event before the body; a decide-only call
        // never stores jobs.
        var knownKey: String?
        if case .flowEvent(let name) = route, !query.decide {
            knownKey = Self.dedupeKey(name: name, triggerID: triggerID, body: request.body, query: query)
            if let knownKey, dedupe.isStored(knownKey, now: receivedAt) {
                answerStoredRetry(
                    request, name: name, triggerID: triggerID, query: query, receivedAt: receivedAt, span: span,
                    writer: writer)
                return
            }
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
        if let key = knownKey ?? IngressResponder.dedupeKey(for: event, body: request.body, query: query) {
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

    /// A stored event's retry, answered from its key alone. The console's list shows what the
    /// body says (method, masked recipient), so with the console on the body is parsed for it.
    private func answerStoredRetry(
        _ request: HTTPRequest, name: EventName, triggerID: String?, query: HookQuery, receivedAt: WallClock,
        span: IngressSpan, writer: HTTPResponseWriter
    ) {
        metrics?.eventReceived(name)
        var payload = JSONValue.emptyObject
        if recentEvents != nil,
            let decoded = try? IngressDecoding.decode(
                request.body, route: .flowEvent(name), limits: running.current.ingress.jsonLimits)
        {
            payload = decoded.1
        }
        let event = Event(
            id: ids.next(), name: name, receivedAt: receivedAt, triggerID: triggerID, payload: payload,
            hookMethod: query.method, trace: span.trace)
        recentEvents?.record(event, .duplicate)
        IngressResponder.answerDuplicate(event, stored: true, span: span, spans: spans, writer: writer, logger: logger)
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
