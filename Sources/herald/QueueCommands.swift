import FoundationEssentials
import HeraldCommands
import HeraldConfig
import HeraldCore
import HeraldJobs
import HeraldPostgres

/// `herald queue list|show|retry|drop` and `herald dead list|show|retry|drop` (design §8): on the
/// spool of a stopped daemon directly, or through the control socket of a running one.
enum QueueCommands {
    static func queue(_ arguments: CommandLineArguments) async -> Int32 {
        run(arguments, section: "queue", help: Help.queue)
    }

    static func dead(_ arguments: CommandLineArguments) async -> Int32 {
        run(arguments, section: "dead", help: Help.dead)
    }

    private static func run(_ arguments: CommandLineArguments, section: String, help: String) -> Int32 {
        let allowed: Set<String> = ["state-dir", "config", "limit", "route", "action", "since"]
        let flags: Set<String> = ["json", "all", "dry-run"]
        if let unknown = arguments.options.keys.first(where: { !allowed.contains($0) })
            ?? arguments.flags.first(where: { !flags.contains($0) })
        {
            return usage("unknown option '--\(unknown)'", help)
        }
        guard let subcommand = arguments.positionals.first else {
            return usage("missing subcommand (list, show, retry or drop)", help)
        }
        let operands = Array(arguments.positionals.dropFirst())
        var filter = JobFilter(route: arguments.options["route"], action: arguments.options["action"])
        if let since = arguments.options["since"] {
            guard let duration = parseDuration(since) else {
                return usage("--since takes a duration such as 30m, 2h or 7d", help)
            }
            filter.since = duration
        }
        let bulk = section == "dead" && subcommand == "retry" && operands.isEmpty
        if !filter.isEmpty || arguments.flags.contains("all") || arguments.flags.contains("dry-run") {
            guard subcommand == "list" || bulk else {
                return usage(
                    "--route, --action and --since are for list\(section == "dead" ? " and for retry without an id" : ""); --all and --dry-run for dead retry",
                    help)
            }
        }
        let method: String
        var target = "/\(section)"
        switch subcommand {
        case "list":
            guard operands.isEmpty else { return usage("unexpected argument '\(operands[0])'", help) }
            guard !arguments.flags.contains("all"), !arguments.flags.contains("dry-run") else {
                return usage("--all and --dry-run are for dead retry", help)
            }
            let limit = arguments.options["limit"] ?? "50"
            guard let count = Int(limit), count >= 0 else { return usage("--limit needs a number ≥ 0", help) }
            method = "GET"
            target += "?" + (["limit=\(count)"] + filter.query).joined(separator: "&")
        case "retry" where bulk:
            // Many dead letters at once: a filter, or --all to say that everything is meant.
            guard !filter.isEmpty || arguments.flags.contains("all") else {
                return usage("dead retry needs an id, or --all, --route, --action or --since", help)
            }
            guard arguments.options["limit"] == nil else { return usage("--limit is only for list", help) }
            method = "POST"
            let query = filter.query + (arguments.flags.contains("dry-run") ? ["dry_run=1"] : [])
            target += "/retry" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        case "show", "retry", "drop":
            guard operands.count == 1 else {
                return usage(operands.isEmpty ? "missing job id" : "unexpected argument '\(operands[1])'", help)
            }
            guard arguments.options["limit"] == nil else { return usage("--limit is only for list", help) }
            guard TimeOrderedID(operands[0]) != nil else {
                return usage("'\(operands[0])' is not a job id (36 characters, as list shows them)", help)
            }
            method = subcommand == "show" ? "GET" : "POST"
            target += "/\(operands[0])" + (subcommand == "show" ? "" : "/\(subcommand)")
        default:
            return usage("unknown subcommand '\(subcommand)'", help)
        }
        if arguments.options["state-dir"] != nil && arguments.options["config"] != nil {
            return usage("give --state-dir or --config, not both", help)
        }
        if arguments.options["state-dir"] == nil {
            guard let configuration = Commands.loadForStore(Commands.configPath(arguments)) else {
                return ExitCode.config
            }
            if case .postgres(let settings) = configuration.store {
                // Every instance shares the database: the command works on it directly.
                // libpq quotes parts of a DSN it cannot read (`invalid percent-encoded token:
                // "<password>"`), and the DSN need not come from a secret reference.
                let redact = { (text: String) in settings.redacted(configuration.redacting(text)) }
                do throws(PostgresError) {
                    let control = JobControl(store: try PostgresStore.forCommands(settings: settings))
                    let answer = JobControlRequest.answer(method: method, target: target, control: control)
                    return print(answer, arguments: arguments, subcommand: subcommand, section: section, redact: redact)
                } catch {
                    writeError("herald: \(redact(error.description))\n")
                    return ExitCode.failure
                }
            }
        }
        guard let stateDirectory = stateDirectory(arguments) else { return ExitCode.config }

        let reply: (status: Int, body: JSON)
        do throws(ControlError) {
            let session = try ControlSession.open(stateDirectory: stateDirectory)
            defer { session.close() }
            reply = try session.send(method, target)
        } catch {
            writeError("herald: \(error.message)\n")
            return ExitCode.failure
        }
        return print(reply, arguments: arguments, subcommand: subcommand, section: section)
    }

    /// Prints an answer as a table or JSON; a failed one as an error with its exit code.
    private static func print(
        _ answer: (status: Int, body: JSON), arguments: CommandLineArguments, subcommand: String, section: String,
        redact: (String) -> String = { $0 }
    ) -> Int32 {
        guard answer.status == 200 else {
            writeError("herald: \(redact(answer.body["error"]?.string ?? "the daemon answered \(answer.status)"))\n")
            return answer.status == 400 || answer.status == 404 ? ExitCode.usage : ExitCode.failure
        }
        if arguments.flags.contains("json") {
            Swift.print(answer.body.prettyPrinted())
        } else {
            Swift.print(
                QueueReport(now: Date(), width: QueueReport.terminalWidth()).render(
                    subcommand, section: section, answer.body), terminator: "")
        }
        return ExitCode.ok
    }

    /// `--state-dir`, else the `state_dir` of `--config` (or of the default configuration).
    private static func stateDirectory(_ arguments: CommandLineArguments) -> String? {
        if let directory = arguments.options["state-dir"] { return directory }
        return Commands.loadForStore(Commands.configPath(arguments))?.stateDirectory
    }

    private static func usage(_ problem: String, _ help: String) -> Int32 {
        writeError("herald: \(problem)\n\n\(help)")
        return ExitCode.usage
    }
}
