import FoundationEssentials
import HeraldCore

/// A configured `plugin: mandrill` action.
struct MandrillAction: Action {
    let name: String
    let kind = MandrillPlugin.kind
    let settings: MandrillSettings
    let transport: MandrillTransport
    /// Every text from Mandrill's answers, and every template name, passes through this.
    let redactor: RemoteTextRedactor

    /// - Parameter configurationSecrets: every secret of the configuration
    ///   (`ActionDefinition.secrets`), masked in whatever the peer answers.
    init(name: String, settings: MandrillSettings, configurationSecrets: [String] = []) {
        self.name = name
        self.settings = settings
        transport = MandrillTransport(timeout: settings.timeout)
        redactor = RemoteTextRedactor(secrets: [settings.apiKey] + configurationSecrets)
    }

    /// `mandrill → https://mandrillapp.com/api/1.0 (from hello@example.com)`; never the key.
    var summary: String {
        var summary = "mandrill → \(settings.baseURL)"
        if let from = settings.from { summary += " (from \(from.email))" }
        return summary
    }

    func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        MandrillStep.compile(step, action: name, settings: settings)
    }

    func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
        let request: MandrillRequest
        do {
            request = try MandrillRequest.prepare(job, apiKey: settings.apiKey, redactor: redactor)
        } catch {
            return .failed(reason: error.reason)
        }
        guard let url = URL(string: "\(settings.baseURL)/\(request.endpoint.rawValue).json") else {
            return .failed(reason: "cannot form a URL from base_url \(settings.baseURL)")
        }
        if context.previousAttemptMayHaveSent && settings.searchBeforeResend {
            if case .found(let id) = await searchEarlierSend(job, request: request, context: context) {
                return .delivered(
                    detail: "already sent by an earlier attempt (messages/search found \(id)); not sent again")
            }
        }
        var outcome = await send(request, to: url, context: context)
        if case .delivered(let detail) = outcome, !request.skipped.isEmpty {
            let skipped = request.skipped.map(redactor.address).joined(separator: ", ")
            outcome = .failed(reason: "not sent to \(skipped) (not an address); accepted \(detail)")
        }
        return outcome
    }

    /// Asks Mandrill whether an earlier attempt of `job` went out; counts and logs what it found.
    private func searchEarlierSend(_ job: Job, request: MandrillRequest, context: DeliveryContext) async
        -> MandrillEarlierSend.Finding
    {
        let finding: MandrillEarlierSend.Finding
        let timeout = min(settings.timeout, ContinuousClock.now.duration(to: context.deadline) / 2)
        if let url = URL(string: "\(settings.baseURL)/messages/search.json"), timeout > .milliseconds(10) {
            let body = MandrillEarlierSend.request(
                for: job, recipients: request.recipients, from: request.body["message"]?["from_email"]?.string,
                now: context.clock.now, apiKey: settings.apiKey)
            do {
                let response = try await transport.post(url, body: body.serialized(), timeout: timeout)
                finding = MandrillEarlierSend.finding(
                    in: response, job: job, recipients: request.recipients, redactor: redactor)
            } catch {
                finding = .inconclusive("messages/search failed: \(MandrillTransport.classify(error).label)")
            }
        } else {
            finding = .inconclusive("no time left for messages/search")
        }
        switch finding {
        case .found(let id):
            context.count("search_found")
            context.logger.info("an earlier attempt sent this job; not sending it again", ["message": .string(id)])
        case .notFound:
            context.count("search_not_found")
            context.logger.info("no earlier send of this job found; sending")
        case .inconclusive(let why):
            context.count("search_inconclusive")
            context.logger.warning(
                "cannot tell whether an earlier attempt sent this job; sending (a duplicate is possible)",
                ["reason": .string(why)])
        }
        return finding
    }

    /// Sends the request; with a list of templates, an `Unknown_Template` answer moves on to the
    /// next name within the same attempt, and only the last name's answer is classified.
    private func send(_ request: MandrillRequest, to url: URL, context: DeliveryContext) async -> Outcome {
        let names: [String?] = request.templateNames.isEmpty ? [nil] : request.templateNames
        var unknown: [String] = []
        for (index, name) in names.enumerated() {
            let timeout = min(settings.timeout, ContinuousClock.now.duration(to: context.deadline))
            guard timeout > .milliseconds(10) else {
                let reason = "no time left before the delivery deadline; not sent"
                return .retry(after: nil, reason: reason, ambiguous: false)
            }
            let started = ContinuousClock.now
            var outcome: Outcome
            var status = 0
            do {
                let response = try await transport.post(
                    url, body: request.body(template: name).serialized(), timeout: timeout)
                status = response.status
                if let name, index < names.count - 1, MandrillResponseClassifier.isUnknownTemplate(response) {
                    unknown.append(name)
                    let template = redactor.clean(name, limit: 60)
                    context.logger.debug("mandrill template unknown; trying the next", ["template": .string(template)])
                    continue
                }
                outcome = MandrillResponseClassifier.classify(response, now: context.clock.now, redactor: redactor)
            } catch {
                outcome = MandrillTransport.classify(error)
            }
            context.logger.debug(
                "mandrill call",
                [
                    "endpoint": .string(request.endpoint.rawValue), "status": .int(status),
                    "outcome": .string(outcome.label), "recipients": .int(request.recipients.count),
                    "duration_ms": .milliseconds(ContinuousClock.now - started),
                ])
            return noting(unknown, used: name, in: outcome)
        }
        return .failed(reason: "no template to send")  // Unreachable: the last name is always classified.
    }

    /// Says which templates were skipped as unknown, so that a missing translation shows in the log.
    private func noting(_ unknown: [String], used name: String?, in outcome: Outcome) -> Outcome {
        guard !unknown.isEmpty else { return outcome }
        let skipped = unknown.map { redactor.clean($0, limit: 60) }.joined(separator: ", ")
        switch outcome {
        case .delivered(let detail):
            return .delivered(
                detail: "\(detail) (template \(redactor.clean(name ?? "-", limit: 60)); unknown: \(skipped))")
        case .failed(let reason):
            return .failed(reason: "\(reason) (also unknown: \(skipped))")
        case .retry(let after, let reason, let ambiguous):
            return .retry(after: after, reason: "\(reason) (unknown: \(skipped))", ambiguous: ambiguous)
        }
    }
}
