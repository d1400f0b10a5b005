import Foundation
import HeraldCore

/// A configured `plugin: mandrill` action.
struct MandrillAction: Action {
    let name: String
    let kind = MandrillPlugin.kind
    let settings: MandrillSettings
    let transport: MandrillTransport

    init(name: String, settings: MandrillSettings) {
        self.name = name
        self.settings = settings
        transport = MandrillTransport(timeout: settings.timeout)
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
            request = try MandrillRequest.prepare(job, apiKey: settings.apiKey)
        } catch {
            return .failed(reason: error.reason)
        }
        let timeout = min(settings.timeout, ContinuousClock.now.duration(to: context.deadline))
        guard timeout > .milliseconds(10) else {
            return .retry(after: nil, reason: "no time left before the delivery deadline; not sent", ambiguous: false)
        }
        guard let url = URL(string: "\(settings.baseURL)/\(request.endpoint.rawValue).json") else {
            return .failed(reason: "cannot form a URL from base_url \(settings.baseURL)")
        }
        let started = ContinuousClock.now
        var outcome: Outcome
        var status = 0
        do {
            let response = try await transport.post(url, body: request.body.serialized(), timeout: timeout)
            status = response.status
            outcome = MandrillResponseClassifier.classify(response, now: context.clock.now, secret: settings.apiKey)
        } catch {
            outcome = MandrillTransport.classify(error)
        }
        if case .delivered(let detail) = outcome, !request.skipped.isEmpty {
            let skipped = request.skipped.map(maskPersonalData).joined(separator: ", ")
            outcome = .failed(reason: "not sent to \(skipped) (not an address); accepted \(detail)")
        }
        context.logger.debug(
            "mandrill call",
            [
                "endpoint": .string(request.endpoint.rawValue), "status": .int(status),
                "outcome": .string(outcome.label), "recipients": .int(request.recipients.count),
                "duration_ms": .milliseconds(ContinuousClock.now - started),
            ])
        return outcome
    }
}
