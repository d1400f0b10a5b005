import FoundationEssentials
import HeraldCore

/// A configured `plugin: mailchimp` action.
struct MailchimpAction: Action {
    let name: String
    let kind = MailchimpPlugin.kind
    let settings: MailchimpSettings
    let transport: MailchimpTransport
    /// Every text from Mailchimp's answers passes through this.
    let redactor: RemoteTextRedactor

    /// - Parameter configurationSecrets: every secret of the configuration
    ///   (`ActionDefinition.secrets`), masked in whatever the peer answers.
    init(name: String, settings: MailchimpSettings, configurationSecrets: [String] = []) {
        self.name = name
        self.settings = settings
        transport = MailchimpTransport(apiKey: settings.apiKey, timeout: settings.timeout)
        redactor = RemoteTextRedactor(secrets: [settings.apiKey] + transport.secrets + configurationSecrets)
    }

    /// `mailchimp → https://us21.api.mailchimp.com/3.0 (audience a1b2c3d4e5)`; never the key.
    var summary: String { "mailchimp → \(settings.baseURL) (audience \(settings.listID))" }

    var defaultConcurrency: Int? { MailchimpSettings.defaultConcurrency }

    func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        MailchimpStep.compile(step, action: name, settings: settings)
    }

    func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
        let prepared: MailchimpJob
        do {
            prepared = try MailchimpJob.prepare(job)
        } catch {
            return .failed(reason: error.reason)
        }
        let member = redactor.address(prepared.email)
        var notes: [String] = []
        for request in prepared.requests {
            var target = settings.baseURL + request.path
            if let query = request.query { target += "?" + query }
            guard let url = URL(string: target) else {
                return .failed(reason: "cannot form a URL from base_url \(settings.baseURL)")
            }
            let timeout = min(settings.timeout, ContinuousClock.now.duration(to: context.deadline))
            guard timeout > .milliseconds(10) else {
                return .retry(
                    after: nil, reason: "no time left before the delivery deadline; not sent", ambiguous: false)
            }
            let started = ContinuousClock.now
            var status = 0
            var requestID = ""
            let verdict: MailchimpResponseClassifier.Verdict
            do {
                let response = try await transport.send(request.method, url, body: request.body, timeout: timeout)
                status = response.status
                requestID = response.requestID ?? ""
                verdict = MailchimpResponseClassifier.classify(
                    response, to: request, attempt: context.attempt, now: context.clock.now, redactor: redactor)
            } catch {
                verdict = .outcome(MailchimpTransport.classify(error))
            }
            let label: String
            switch verdict {
            case .accepted, .finished: label = "accepted"
            case .outcome(let outcome): label = outcome.label
            }
            context.logger.debug(
                "mailchimp call",
                [
                    "call": .string(request.label), "operation": .string(prepared.operation.rawValue),
                    "status": .int(status), "outcome": .string(label),
                    "request_id": .string(redactor.clean(requestID, limit: 60)),
                    "duration_ms": .milliseconds(ContinuousClock.now - started),
                ])
            switch verdict {
            case .accepted(let note):
                notes.append(note)
            case .finished(let note):
                notes.append(note)
                return .delivered(detail: "\(member) \(notes.joined(separator: ", "))")
            case .outcome(let outcome):
                return notes.isEmpty ? outcome : Self.noting(notes, before: outcome)
            }
        }
        return .delivered(detail: "\(member) \(notes.joined(separator: ", "))")
    }

    /// Says which calls succeeded before the one that did not, so a half-done job reads as such.
    private static func noting(_ notes: [String], before outcome: Outcome) -> Outcome {
        let done = "done before: " + notes.joined(separator: ", ")
        switch outcome {
        case .delivered: return outcome
        case .failed(let reason): return .failed(reason: "\(reason) (\(done))")
        case .retry(let after, let reason, let ambiguous):
            return .retry(after: after, reason: "\(reason) (\(done))", ambiguous: ambiguous)
        }
    }
}
