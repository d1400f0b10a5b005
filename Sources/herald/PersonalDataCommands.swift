import FoundationEssentials
import Glibc
import HeraldCommands
import HeraldConfig
import HeraldCore
import HeraldDaemon
import HeraldJobs
import HeraldPostgres

/// `herald forget` and `herald export` (GDPR Art. 17 and 15): a person's queued jobs, dead
/// letters and outbox files, on the spool of a stopped daemon directly, through the control
/// socket of a running one, or on PostgreSQL.
enum PersonalDataCommands {
    static func forget(_ arguments: CommandLineArguments) async -> Int32 {
        run(arguments, verb: "forget", help: Help.forget)
    }

    static func export(_ arguments: CommandLineArguments) async -> Int32 {
        run(arguments, verb: "export", help: Help.export)
    }

    private static func run(_ arguments: CommandLineArguments, verb: String, help: String) -> Int32 {
        let allowed: Set<String> = ["state-dir", "config", "identity", "email"]
        if let unknown = arguments.options.keys.first(where: { !allowed.contains($0) })
            ?? arguments.flags.first(where: { $0 != "json" || verb != "forget" })  // export prints JSON anyway
        {
            return usage("unknown option '--\(unknown)'", help)
        }
        if let extra = arguments.positionals.first { return usage("unexpected argument '\(extra)'", help) }
        let identity = arguments.options["identity"]
        let email = arguments.options["email"]
        if let problem = DataSubject.problem(identity: identity, email: email) { return usage(problem, help) }
        guard let subject = DataSubject(identity: identity, email: email) else { return ExitCode.usage }
        if arguments.options["state-dir"] != nil && arguments.options["config"] != nil {
            return usage("give --state-dir or --config, not both", help)
        }
        let method = verb == "forget" ? "POST" : "GET"
        let target = "/\(verb)?" + subject.query.joined(separator: "&")

        // With --state-dir there is no configuration: a daemon that runs uses its own; otherwise
        // no action's files are searched (the answer says so).
        var configuration: HeraldConfiguration?
        if arguments.options["state-dir"] == nil {
            guard let loaded = Commands.loadForStore(Commands.configPath(arguments)) else { return ExitCode.config }
            configuration = loaded
        }
        let keepers = configuration?.personalDataKeepers ?? []
        let handler = StreamLogHandler(
            format: configuration?.log.format == .json ? .json : .logfmt, descriptor: STDERR_FILENO)
        handler.start()
        defer { handler.flush() }
        let audit = Logger(handler: handler)

        if let configuration, case .postgres(let settings) = configuration.store {
            let redact = { (text: String) in settings.redacted(configuration.redacting(text)) }
            do throws(PostgresError) {
                let control = JobControl(
                    store: try PostgresStore.forCommands(settings: settings), keepers: { keepers }, audit: audit)
                let answer = JobControlRequest.answer(method: method, target: target, control: control)
                return print(answer, verb: verb, arguments: arguments, redact: redact)
            } catch {
                writeError("herald: \(redact(error.description))\n")
                return ExitCode.failure
            }
        }
        guard let stateDirectory = arguments.options["state-dir"] ?? configuration?.stateDirectory else {
            return ExitCode.config
        }
        let reply: (status: Int, body: JSON)
        let mode: ControlSession.Mode
        do throws(ControlError) {
            let session = try ControlSession.open(stateDirectory: stateDirectory, keepers: { keepers }, audit: audit)
            defer { session.close() }
            mode = session.mode
            reply = try session.send(method, target)
        } catch {
            writeError("herald: \(error.message)\n")
            return ExitCode.failure
        }
        if mode == .direct && configuration == nil && reply.status == 200 {
            writeError("herald: no configuration given (--state-dir): the outbox files of actions were not searched\n")
        }
        return print(reply, verb: verb, arguments: arguments)
    }

    /// Prints the answer: `forget` as counts (JSON with --json), `export` always as JSON.
    private static func print(
        _ answer: (status: Int, body: JSON), verb: String, arguments: CommandLineArguments,
        redact: (String) -> String = { $0 }
    ) -> Int32 {
        guard answer.status == 200 else {
            writeError("herald: \(redact(answer.body["error"]?.string ?? "the daemon answered \(answer.status)"))\n")
            return answer.status == 400 || answer.status == 404 ? ExitCode.usage : ExitCode.failure
        }
        if verb == "export" || arguments.flags.contains("json") {
            Swift.print(answer.body.prettyPrinted())
            return ExitCode.ok
        }
        let body = answer.body
        let count = { (key: String) in body[key]?.int ?? 0 }
        Swift.print(
            """
            forgot: \(count("jobs")) queued job(s), \(count("dead_letters")) dead letter(s), \(count("files")) file(s)
            subject digest: \(body["subject_digest"]?.string ?? "")
            """)
        if let note = body["note"]?.string { Swift.print("note: \(note)") }
        return ExitCode.ok
    }

    private static func usage(_ problem: String, _ help: String) -> Int32 {
        writeError("herald: \(problem)\n\n\(help)")
        return ExitCode.usage
    }
}
