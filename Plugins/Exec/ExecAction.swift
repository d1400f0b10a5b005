import HeraldCore

/// A configured `plugin: exec` action.
struct ExecAction: Action {
    let name: String
    let kind = ExecPlugin.kind
    let settings: ExecSettings
    /// Every text the program wrote passes through this before it reaches a reason or the log.
    let redactor: RemoteTextRedactor

    /// - Parameter configurationSecrets: every secret of the configuration
    ///   (`ActionDefinition.secrets`), masked in whatever the peer answers.
    init(name: String, settings: ExecSettings, configurationSecrets: [String] = []) {
        self.name = name
        self.settings = settings
        redactor = RemoteTextRedactor(secrets: settings.secretValues + configurationSecrets)
    }

    /// `exec → /usr/local/bin/provision --realm customers (timeout 30s; environment: API_TOKEN)`;
    /// never an environment value.
    var summary: String {
        let command = ([settings.program] + settings.arguments).joined(separator: " ")
        var notes = "timeout \(settings.timeout.compactDescription)"
        if let directory = settings.workingDirectory { notes += "; in \(directory)" }
        if !settings.environmentNames.isEmpty {
            notes += "; environment: " + settings.environmentNames.joined(separator: ", ")
        }
        return "exec → \(command) (\(notes))"
    }

    var defaultConcurrency: Int? { ExecSettings.defaultConcurrency }

    func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        ExecStep.compile(step, action: name)
    }

    func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
        guard let input = job.payload["stdin"]?.string else {
            return .failed(reason: "the job has no stdin (not planned by an exec step)")
        }
        let timeout = min(settings.timeout, ContinuousClock.now.duration(to: context.deadline))
        guard timeout > .milliseconds(10) else {
            return .retry(after: nil, reason: "no time left before the delivery deadline; not run", ambiguous: false)
        }
        let command = ExecCommand(
            program: settings.program, searchesPath: settings.searchesPath,
            arguments: [settings.program] + settings.arguments,
            environment: settings.environment + [
                "HERALD_JOB_ID=\(job.id)", "HERALD_EVENT=\(job.eventName)", "HERALD_ATTEMPT=\(context.attempt)",
            ] + traceEnvironment(context.trace), workingDirectory: settings.workingDirectory, input: Array(input.utf8),
            outputLimit: ExecSettings.outputLimit)
        let started = ContinuousClock.now
        let result = await ExecRunner.run(command, timeout: timeout)
        let outcome = ExecResultClassifier.classify(result, timeout: timeout, redactor: redactor)
        if result.termination == .timedOut { context.count("timeout_killed") }
        if result.stdout.isCut || result.stderr.isCut { context.count("output_cut") }
        context.logger.debug(
            "exec run",
            [
                "program": .string(settings.program), "end": .string(Self.label(result.termination)),
                "outcome": .string(outcome.label), "stdout_bytes": .int(result.stdout.total),
                "stderr_bytes": .int(result.stderr.total), "duration_ms": .milliseconds(ContinuousClock.now - started),
            ])
        return outcome
    }

    /// The attempt's span as `TRACEPARENT` and `TRACESTATE` (OpenTelemetry's environment
    /// carrier), unless `environment:` sets them itself.
    private func traceEnvironment(_ trace: TraceContext?) -> [String] {
        guard let trace, !settings.environmentNames.contains("TRACEPARENT") else { return [] }
        var entries = ["TRACEPARENT=\(trace.traceparent)"]
        if let state = trace.state, !settings.environmentNames.contains("TRACESTATE") {
            entries.append("TRACESTATE=\(state)")
        }
        return entries
    }

    /// `exit 3`, `signal 9`, `timeout`, …: how the run ended, for the log.
    static func label(_ termination: ExecResult.Termination) -> String {
        switch termination {
        case .exited(let status): return "exit \(status)"
        case .signaled(let signal): return "signal \(signal)"
        case .timedOut: return "timeout"
        case .cancelled: return "cancelled"
        case .notStarted(let code): return "not started (errno \(code))"
        }
    }
}
