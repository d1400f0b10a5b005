import FoundationEssentials
import HeraldCore

/// A configured `plugin: webhook` action.
struct WebhookAction: Action {
    let name: String
    let kind = WebhookPlugin.kind
    let settings: WebhookSettings
    let transport: WebhookTransport
    /// Every text from the receiver's answers passes through this.
    let redactor: RemoteTextRedactor

    /// - Parameter configurationSecrets: every secret of the configuration
    ///   (`ActionDefinition.secrets`), masked in whatever the receiver answers.
    init(name: String, settings: WebhookSettings, configurationSecrets: [String] = []) {
        self.name = name
        self.settings = settings
        transport = WebhookTransport(timeout: settings.timeout)
        var secrets = settings.secrets.flatMap(\.redactable) + settings.headers.map(\.value)
        if settings.urlIsSecret { secrets.append(settings.url.absoluteString) }
        redactor = RemoteTextRedactor(secrets: secrets + configurationSecrets)
    }

    /// `webhook → POST https://hooks.example.com/herald (2 secrets; headers: Authorization)`; never
    /// a secret, a header's value, a URL read from a secret reference, nor the query values and
    /// token-like path segments of one written into the file (`URLSummary`).
    var summary: String {
        let target: String
        if settings.urlIsSecret {
            target = "\(settings.url.scheme ?? "https")://\(settings.url.host ?? "?")/… (URL from a secret)"
        } else {
            target = URLSummary.text(settings.url)
        }
        let count = settings.secrets.count
        var notes = "\(count) secret\(count == 1 ? "" : "s")"
        if !settings.headers.isEmpty { notes += "; headers: " + settings.headers.map(\.name).joined(separator: ", ") }
        return "webhook → \(settings.method) \(target) (\(notes))"
    }

    func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        WebhookStep.compile(step, action: name, settings: settings)
    }

    func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
        guard let body = job.payload["body"]?.string, let contentType = job.payload["content_type"]?.string else {
            return .failed(reason: "the job has no body to send (not planned by a webhook step)")
        }
        let timeout = min(settings.timeout, ContinuousClock.now.duration(to: context.deadline))
        guard timeout > .milliseconds(10) else {
            return .retry(after: nil, reason: "no time left before the delivery deadline; not sent", ambiguous: false)
        }
        let bytes = Array(body.utf8)
        let id = job.id.description
        // The time of this attempt: receivers refuse signatures older than their tolerance (the
        // libraries: 5 minutes), so a retry signs anew.
        let timestamp = context.clock.now.millisecondsSinceEpoch / 1000
        let signature = WebhookSignature.header(id: id, timestamp: timestamp, body: bytes, secrets: settings.secrets)
        var headers = settings.headers.map { (name: $0.name, value: $0.value) }
        headers += [
            ("Content-Type", contentType), ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature), ("herald-event", job.eventName.description),
        ]
        let started = ContinuousClock.now
        var status = 0
        let outcome: Outcome
        do {
            let response = try await transport.send(
                settings.method, settings.url, headers: headers, body: bytes, timeout: timeout)
            status = response.status
            outcome = WebhookResponseClassifier.classify(response, now: context.clock.now, redactor: redactor)
        } catch {
            outcome = WebhookTransport.classify(error)
        }
        if (300..<400).contains(status) { context.count("redirect_refused") }
        if status == 410 { context.count("gone") }
        context.logger.debug(
            "webhook call",
            [
                "webhook_id": .string(id), "status": .int(status), "outcome": .string(outcome.label),
                "bytes": .int(bytes.count), "duration_ms": .milliseconds(ContinuousClock.now - started),
            ])
        return outcome
    }
}
