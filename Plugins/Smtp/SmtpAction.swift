import HeraldCore

/// A configured `plugin: smtp` action.
struct SmtpAction: Action {
    let name: String
    let kind = SmtpPlugin.kind
    let settings: SmtpSettings
    /// Every reply of the server passes through this before it reaches a reason or the log.
    let redactor: RemoteTextRedactor

    /// - Parameter configurationSecrets: every secret of the configuration
    ///   (`ActionDefinition.secrets`), masked in whatever the peer answers.
    init(name: String, settings: SmtpSettings, configurationSecrets: [String] = []) {
        self.name = name
        self.settings = settings
        redactor = RemoteTextRedactor(secrets: settings.secretValues + configurationSecrets)
    }

    /// `smtp → smtp://smtp.example.com:587 (STARTTLS; AUTH as herald@example.com; from …)`;
    /// never the password, nor a URL or username that came from a secret.
    var summary: String {
        var notes = [settings.security.rawValue]
        if let username = settings.username {
            let mechanism = settings.authMechanism.map { "AUTH \($0)" } ?? "AUTH"
            notes.append(
                settings.usernameIsSecret ? "\(mechanism) (username from a secret)" : "\(mechanism) as \(username)")
        }
        if let from = settings.from { notes.append("from \(from.email)") }
        if let caFile = settings.caFile { notes.append("CA file \(caFile)") }
        notes.append("timeout \(settings.timeout.compactDescription)")
        let url = settings.urlIsSecret ? "<url from a secret>" : settings.displayURL
        return "smtp → \(url) (\(notes.joined(separator: "; ")))"
    }

    var defaultConcurrency: Int? { SmtpSettings.defaultConcurrency }

    func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        SmtpStep.compile(step, action: name, defaultFrom: settings.from)
    }

    func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
        guard var message = RenderedEmail(json: job.payload["message"]) else {
            return .failed(reason: "the job has no message (not planned by an smtp step)")
        }
        if message.from == nil || message.from?.isBlank == true { message.from = settings.from }
        // Checked again here, not only when planning: a job may have been planned by an older
        // Herald. No address with specials ever reaches MAIL FROM, RCPT TO or a header.
        guard let sender = message.from, sender.isPlainAddress else {
            let shown = message.from.map { redactor.address($0.email) } ?? "none"
            let problem = message.from?.plainAddressProblem.map { ": \($0)" } ?? ""
            return .failed(reason: "the sender \(shown) is not a plain address\(problem)")
        }
        let skipped = (message.to + message.cc + message.bcc).filter { !$0.isBlank && !$0.isPlainAddress }
        message.to = message.to.filter(\.isPlainAddress)
        message.cc = message.cc.filter(\.isPlainAddress)
        message.bcc = message.bcc.filter(\.isPlainAddress)
        let recipients = (message.to + message.cc + message.bcc).map(\.email)
        guard !recipients.isEmpty else {
            return .failed(reason: "no recipient is a plain address")
        }
        let timeout = min(settings.timeout, ContinuousClock.now.duration(to: context.deadline))
        guard timeout > .milliseconds(10) else {
            return .retry(after: nil, reason: "no time left before the delivery deadline; not sent", ambiguous: false)
        }
        let text: String
        do {
            text = try EMLWriter.render(message, job: job, includesBcc: false)
        } catch {
            return .failed(reason: "not sent: \(error)")
        }
        let bytes = Array(text.utf8)
        if let problem = SmtpMessageCheck.problem(bytes) {
            return .failed(reason: "not sent: the message \(problem)")
        }
        let session = SmtpSession(
            url: settings.url, security: settings.security, username: settings.username, password: settings.password,
            authMechanism: settings.authMechanism, caFile: settings.caFile, connectTimeout: settings.connectTimeout,
            timeout: timeout, sender: sender.email, recipients: recipients, message: bytes)
        let result = await SmtpTransport.run(session)
        var outcome = SmtpResultClassifier.classify(result, redactor: redactor)
        if case .delivered(let detail) = outcome, !skipped.isEmpty {
            let names = skipped.map { redactor.address($0.email) }.joined(separator: ", ")
            outcome = .failed(reason: "not sent to \(names) (not a plain address); \(detail)")
        }
        if result.curlCode == SmtpResultClassifier.Code.operationTimedOut { context.count("timeout") }
        if (400..<500).contains(result.replyCode) { context.count("reply_4xx") }
        context.logger.debug(
            "smtp session",
            [
                "stage": .string(result.lastCommand?.stage(messageSent: result.messageSent) ?? "connect"),
                "reply": .int(result.replyCode), "curl": .int(result.curlCode), "outcome": .string(outcome.label),
                "recipients": .int(recipients.count), "bytes": .int(session.message.count),
                "duration_ms": .milliseconds(result.duration),
            ])
        return outcome
    }
}
