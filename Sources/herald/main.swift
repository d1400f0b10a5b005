import FoundationEssentials
import Glibc
import HeraldCommands
import HeraldConfig
import HeraldCore

/// Exit codes (design §8).
enum ExitCode {
    static let ok: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    static let config: Int32 = 78
}

func writeError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

let commands: [String: (help: String, run: (CommandLineArguments) async -> Int32)] = [
    "serve": (Help.serve, Commands.serve),
    "check": (Help.check, Commands.check),
    "explain": (Help.explain, Commands.explain),
    "test": (Help.test, Commands.test),
    "version": (Help.version, Commands.version),
    "kratos-config": (Help.kratosConfig, KratosConfigCommand.run),
    "doctor": (Help.doctor, DoctorCommand.run),
    "queue": (Help.queue, QueueCommands.queue),
    "dead": (Help.dead, QueueCommands.dead),
    "store": (Help.store, StoreCommand.run),
    "health": (Help.health, HealthCommand.run),
    "forget": (Help.forget, PersonalDataCommands.forget),
    "export": (Help.export, PersonalDataCommands.export),
]

let arguments: CommandLineArguments
do {
    arguments = try CommandLineArguments(
        Array(CommandLine.arguments.dropFirst()),
        valued: [
            "config", "event", "url", "state-dir", "limit", "method", "kratos-version", "merge", "route", "action",
            "since", "locales", "address", "timeout", "identity", "email",
        ])
} catch {
    writeError("herald: \(error.message)\n\n\(error.command.flatMap { commands[$0]?.help } ?? Help.main)")
    exit(ExitCode.usage)
}

guard let name = arguments.command, name != "help" else {
    if arguments.command == "help", let topic = arguments.positionals.first {
        // `herald help check` is `herald check --help`.
        guard arguments.positionals.count == 1, let command = commands[topic] else {
            let suggestion = closestMatch(to: topic, in: Array(commands.keys)).map { "; did you mean '\($0)'?" } ?? ""
            writeError(
                "herald: no help for '\(arguments.positionals.joined(separator: " "))'\(suggestion)\n\n\(Help.main)")
            exit(ExitCode.usage)
        }
        print(command.help, terminator: "")
        exit(ExitCode.ok)
    }
    if arguments.flags.contains("help") || arguments.command == "help" {
        print(Help.main, terminator: "")
        exit(ExitCode.ok)
    }
    if arguments.flags == ["version"] {
        exit(await Commands.version(CommandLineArguments()))
    }
    if let flag = arguments.flags.subtracting(["version"]).sorted().first {
        writeError("herald: unknown option '--\(flag)'\n\n\(Help.main)")
        exit(ExitCode.usage)
    }
    writeError("herald: a command is needed\n\n\(Help.main)")
    exit(ExitCode.usage)
}
guard let command = commands[name] else {
    let suggestion = closestMatch(to: name, in: Array(commands.keys)).map { "; did you mean '\($0)'?" } ?? ""
    writeError("herald: unknown command '\(name)'\(suggestion)\n\n\(Help.main)")
    exit(ExitCode.usage)
}
if arguments.flags.contains("help") {
    print(command.help, terminator: "")
    exit(ExitCode.ok)
}
exit(await command.run(arguments))
