import FoundationEssentials
import HeraldCore

/// `herald doctor` for one Mandrill action: its key, sending domains, templates and webhook,
/// checked with read-only calls (reference/mandrill-api.md, mandrill-webhooks.md §8).
struct MandrillDiagnosis: Sendable {
    let action: String
    let settings: MandrillSettings
    let transport: MandrillTransport
    let redactor: RemoteTextRedactor
    let deadline: ContinuousClock.Instant

    /// What one call gave.
    enum Answer {
        /// HTTP 200 with a JSON body.
        case success(JSON)
        /// Mandrill's error object (`Invalid_Key`, `Unknown_Template`), cleaned for printing.
        case refused(name: String, message: String, status: Int)
        /// No usable answer: the reason, ready to print.
        case unusable(String)
    }

    /// POSTs `body` plus the key to `endpoint` (`users/ping2`).
    func call(_ endpoint: String, _ body: JSONObject = [:]) async -> Answer {
        guard let url = URL(string: "\(settings.baseURL)/\(endpoint).json") else {
            return .unusable("cannot form a URL from base_url \(settings.baseURL)")
        }
        let timeout = min(settings.timeout, ContinuousClock.now.duration(to: deadline))
        guard timeout > .milliseconds(10) else { return .unusable("no time left to ask \(endpoint)") }
        var request: JSONObject = ["key": .string(settings.apiKey)]
        for (name, value) in body { request[name] = value }
        let response: MandrillResponse
        do {
            response = try await transport.post(
                url, body: JSON.object(request).serialized(), timeout: timeout,
                answerLimit: MandrillTransport.diagnosisLimit)
        } catch {
            return .unusable("no answer to \(endpoint) (\(MandrillTransport.describe(error)))")
        }
        if response.status == 200, let json = try? JSONDocument(parsing: response.body).root.json {
            return .success(json)
        }
        if let error = ErrorBody(response.body) {
            return .refused(
                name: redactor.clean(error.name, limit: 60), message: redactor.clean(error.message, limit: 200),
                status: response.status)
        }
        return .unusable(
            "\(endpoint): Mandrill answered HTTP \(response.status) "
                + (response.body.isEmpty ? "with an empty body" : "with \(redactor.excerpt(response.body))"))
    }

    /// The finding for an answer no check expected.
    func unexpected(_ subject: String, _ answer: Answer) -> Finding {
        switch answer {
        case .success:
            return Finding(.fail, subject, "Mandrill's answer is not what its API describes", fix: retryFix)
        case .refused(let name, let message, let status):
            return Finding(.fail, subject, "cannot check: HTTP \(status) \(name): \(message)", fix: retryFix)
        case .unusable(let reason):
            return Finding(.fail, subject, "cannot check: \(reason)", fix: retryFix)
        }
    }

    private var retryFix: String {
        "check that Herald reaches \(settings.baseURL), then run herald doctor again"
    }

    /// Every check, in order: the key first, since nothing else can be checked without it.
    func run(_ context: DiagnosisContext) async -> [Finding] {
        let key = await checkKey()
        guard key.status == .ok else { return [key] }
        let steps = context.uses.compactMap { use in (use.step as? MandrillStep).map { (use.route, $0) } }
        var findings = [key]
        findings += await checkDomains(steps)
        findings += await checkTemplates(steps, locales: context.locales)
        if let webhook = context.mandrillWebhook { findings += await checkWebhook(webhook) }
        return findings
    }

    /// `users/ping2` answers `{"PING": "PONG!"}` for a working key.
    func checkKey() async -> Finding {
        let subject = "API key"
        switch await call("users/ping2") {
        case .success(let body) where body["PING"]?.string == "PONG!":
            return Finding(.ok, subject, "works (users/ping2)")
        case .refused(let name, let message, _) where name == "Invalid_Key":
            return Finding(
                .fail, subject, "Mandrill refused it (\(name): \(message)); nothing else was checked",
                fix: "set actions.\(action).api_key to a key listed under Mandrill → Settings → SMTP & API Info")
        case let answer:
            return unexpected(subject, answer)
        }
    }
}
