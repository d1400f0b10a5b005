import FoundationEssentials
import HeraldCore

/// A configured `plugin: kratos` action.
struct KratosAction: Action {
    let name: String
    let kind = KratosPlugin.kind
    let settings: KratosSettings
    let transport: KratosTransport
    /// Every text from Kratos' answers passes through this.
    let redactor: RemoteTextRedactor

    /// - Parameter configurationSecrets: every secret of the configuration
    ///   (`ActionDefinition.secrets`), masked in whatever the peer answers.
    init(name: String, settings: KratosSettings, configurationSecrets: [String] = []) {
        self.name = name
        self.settings = settings
        transport = KratosTransport(timeout: settings.timeout)
        redactor = RemoteTextRedactor(secrets: (settings.token.map { [$0] } ?? []) + configurationSecrets)
    }

    /// `kratos → http://kratos:4434 (self-hosted admin API)`; never the token.
    var summary: String {
        let auth = settings.token == nil ? "no token" : "Bearer token"
        let place = settings.isOryNetwork ? "Ory Network" : "self-hosted admin API"
        return "kratos → \(settings.baseURL) (\(place), \(auth))"
    }

    func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        KratosStep.compile(step, action: name)
    }

    func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
        let request: KratosPatchRequest
        do {
            request = try KratosPatchRequest.prepare(job, redactor: redactor)
        } catch {
            return .failed(reason: error.reason)
        }
        guard let url = URL(string: "\(settings.baseURL)/admin/identities/\(request.identity)") else {
            return .failed(reason: "cannot form a URL from \(settings.baseURL)")
        }
        let timeout = min(settings.timeout, ContinuousClock.now.duration(to: context.deadline))
        guard timeout > .milliseconds(10) else {
            return .retry(after: nil, reason: "no time left before the delivery deadline; not sent", ambiguous: false)
        }
        let started = ContinuousClock.now
        var status = 0
        let outcome: Outcome
        do {
            let response = try await transport.send(
                "PATCH", url, body: request.body, token: settings.token, timeout: timeout)
            status = response.status
            outcome = KratosResponseClassifier.classify(
                response, identity: request.identity, now: context.clock.now, redactor: redactor)
        } catch {
            outcome = KratosTransport.classify(error)
        }
        context.logger.debug(
            "kratos call",
            [
                "identity": .personal(request.identity), "status": .int(status), "outcome": .string(outcome.label),
                "operations": .int(request.operations), "duration_ms": .milliseconds(ContinuousClock.now - started),
            ])
        return outcome
    }
}
