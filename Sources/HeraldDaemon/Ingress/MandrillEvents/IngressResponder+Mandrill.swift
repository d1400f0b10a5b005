import FoundationEssentials
import HeraldConfig
import HeraldCore
import HeraldHTTP
import HeraldJobs

/// `/v1/mandrill/events`: Mandrill's delivery events (reference/mandrill-webhooks.md). Mandrill
/// cannot send Herald's credentials; it signs each post with the webhook's key instead. A post
/// is answered 200 only once every job its events planned is stored (one commit for the batch),
/// 401 when the signature does not match (nothing stored), 503 when the store cannot take it (so
/// Mandrill posts the batch again).
extension IngressResponder {
    func screenMandrill(_ head: HTTPRequestHead) -> HTTPResponse? {
        guard running.current.ingress.mandrill != nil else {
            return .error(404, "Mandrill events are off; set ingress.mandrill_webhooks to receive them")
        }
        guard ["POST", "HEAD", "GET"].contains(head.method) else {
            var response = HTTPResponse.error(405, "Mandrill posts its events; HEAD and GET only check the URL")
            response.headers.add(name: "Allow", value: "POST, HEAD, GET")
            return response
        }
        return nil
    }

    func receiveMandrill(_ request: HTTPRequest, writer: HTTPResponseWriter) {
        let current = running.current.ingress
        guard let settings = current.mandrill else {
            writer.respond(.error(404, "Mandrill events are off"))
            return
        }
        // Mandrill checks a webhook's URL with HEAD before it has told anyone the key.
        guard request.head.method == "POST" else {
            writer.respond(.text(200, "ok\n"))
            return
        }
        let receivedAt = WallClock.now
        let arrived = ContinuousClock.now
        // One trace for the batch: its events' jobs are children of the one ingress span.
        let span = IngressSpan(request.head)
        let form: FormBody
        let text: String
        do throws(IngressRejection) {
            form = try FormBody(request.body)
            guard let events = try form.value("mandrill_events") else {
                throw IngressRejection(.badForm, "the form has no mandrill_events field")
            }
            text = events
        } catch {
            refuseMandrill(error.status, error.clientMessage, writer: writer)
            return
        }
        guard let signature = request.head.headers["X-Mandrill-Signature"] else {
            refuseMandrill(401, "X-Mandrill-Signature is missing", writer: writer)
            return
        }
        // Verified before anything is parsed: an unsigned post costs an HMAC, not a JSON parse.
        guard MandrillSignature.isValid(signature, keys: settings.keys, url: settings.url, parameters: form.pairs)
        else {
            // The URL check when a webhook is added: an empty batch under the public key.
            if text.trimmingSpaces() == "[]"
                && MandrillSignature.isValid(
                    signature, keys: [MandrillSignature.verificationKey], url: settings.url, parameters: form.pairs)
            {
                logger.info("Mandrill checked the webhook URL")
                writer.respond(.json(200, Array(#"{"events":0,"jobs":0}"#.utf8)))
                return
            }
            refuseMandrill(
                401,
                settings.keys.isEmpty
                    ? "no webhook key is configured yet (ingress.mandrill_webhooks.keys)"
                    : "the signature does not match (check ingress.mandrill_webhooks.url is the URL registered in Mandrill, and the key)",
                writer: writer)
            return
        }
        let batch: MandrillEventBatch
        do throws(IngressRejection) {
            batch = try MandrillEventBatch(text, limits: JSONLimits(maxDepth: 64, maxBytes: settings.maxBodyBytes))
        } catch {
            refuseMandrill(error.status, error.clientMessage, writer: writer)
            return
        }
        for type in Set(batch.unknownTypes).sorted() {
            logger.warning("Mandrill event of a type Herald does not know; skipped", ["type": .string(type)])
        }
        var events: [IntakeEvent] = []
        var claimedKeys: [String] = []
        var duplicates = 0
        // An event older than the dedupe window may have been forgotten: a captured batch posted
        // again later would plan it once more. Mandrill's own retries of a batch end within ~8 h,
        // well inside the window, so only a replay (or a badly set clock) meets this.
        let oldest = receivedAt.adding(.zero - settings.dedupeWindow)
        let stale = batch.items.filter { $0.isStale(oldest: oldest) }
        if !stale.isEmpty {
            metrics?.mandrillEventsRefused(reason: "stale", count: stale.count)
            let oldestSeen = stale.compactMap(\.timestamp).min()
            logger.warning(
                "Mandrill events older than the dedupe window refused (a replayed batch, or a clock far off)",
                [
                    "events": .int(stale.count), "oldest_ts": oldestSeen.map { .int(Int($0)) } ?? .string("none"),
                    "window": .string(settings.dedupeWindow.compactDescription),
                ])
        }
        for item in batch.items where !item.isStale(oldest: oldest) {
            metrics?.eventReceived(item.name)
            // A redelivered batch (Mandrill repeats a batch it got no 200 for) or one that is being
            // stored right now: its events are already taken care of.
            guard case .claimed = dedupe.claim(item.dedupeKey, now: receivedAt) else {
                duplicates += 1
                continue
            }
            let event = Event(
                id: ids.next(), name: item.name, receivedAt: receivedAt, triggerID: nil, payload: item.payload,
                trace: span.trace)
            var claimed = [DedupeKey(item.dedupeKey, expiresAt: receivedAt.adding(settings.dedupeWindow))]
            let plan = self.plan(event, rules: current.rules, receivedAt: receivedAt, claimed: &claimed)
            claimedKeys += claimed.map(\.key)
            events.append(IntakeEvent(jobs: plan.jobs, dedupeKeys: claimed))
        }
        let logger = self.logger
        let dedupe = self.dedupe
        let metrics = self.metrics
        let spans = self.spans
        let count = batch.items.count
        let refused = stale.count
        let (planned, keys, skipped) = (events, claimedKeys, duplicates)
        intake.accept(planned) { result in
            switch result {
            case .success(let receipts):
                dedupe.commit(keys)
                // A shared store may find an event taken by another instance: not stored again.
                let stored = zip(planned, receipts).filter { !$0.1.duplicate }
                let jobs = stored.reduce(0) { $0 + $1.0.jobs.count }
                let repeated = skipped + receipts.count - stored.count
                logger.info(
                    "Mandrill events accepted",
                    [
                        "events": .int(count), "duplicates": .int(repeated), "stale": .int(refused), "jobs": .int(jobs),
                        "trace_id": .string(span.trace.traceID.hex),
                        "ack_ms": .milliseconds(ContinuousClock.now - arrived),
                    ])
                span.endBatch(events: count, status: 200, jobs: jobs, into: spans)
                metrics?.eventAcknowledged(latency: ContinuousClock.now - arrived)
                let body: JSON = [
                    "events": .int(Int64(count)), "duplicates": .int(Int64(repeated)), "stale": .int(Int64(refused)),
                    "jobs": .int(Int64(jobs)),
                ]
                writer.respond(.json(200, body.serialized()))
            case .failure(let error):
                dedupe.release(keys)
                logger.error(
                    "Mandrill events not stored; answered 503 so that Mandrill posts them again",
                    [
                        "events": .int(count), "trace_id": .string(span.trace.traceID.hex),
                        "reason": .string(error.description),
                    ])
                span.endBatch(events: count, status: 503, jobs: 0, into: spans)
                writer.respond(.error(503, "events cannot be stored right now; retry later"))
            }
        }
    }

    private func refuseMandrill(_ status: Int, _ message: String, writer: HTTPResponseWriter) {
        logger.warning("Mandrill post refused", ["status": .int(status), "reason": .string(message)])
        writer.respond(.error(status, message))
    }
}
