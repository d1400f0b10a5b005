import HeraldCommands
import HeraldConfig
import HeraldCore

/// `herald doctor [--config F] [--locales L,L]`: checks against the live APIs what the
/// configuration relies on (keys, sending domains, templates, audiences, the Mandrill webhook),
/// one line per check; exit 1 when any check fails.
enum DoctorCommand {
    static func run(_ arguments: CommandLineArguments) async -> Int32 {
        if let unknown = arguments.options.keys.first(where: { !["config", "locales"].contains($0) })
            ?? arguments.flags.first
        {
            writeError("herald: unknown option '--\(unknown)'\n\n\(Help.doctor)")
            return ExitCode.usage
        }
        guard arguments.positionals.isEmpty else {
            writeError("herald: unexpected argument '\(arguments.positionals[0])'\n\n\(Help.doctor)")
            return ExitCode.usage
        }
        var locales: [String] = []
        if let text = arguments.options["locales"] {
            locales = text.split(separator: ",").map { String($0).trimmingSpaces() }
            guard !locales.isEmpty, locales.allSatisfy(Self.isLocale) else {
                writeError("herald: --locales takes locales separated by commas, such as en,de,pt-BR\n\n\(Help.doctor)")
                return ExitCode.usage
            }
        }
        // The checks need the keys themselves, so every secret is read.
        guard let configuration = Commands.load(Commands.configPath(arguments)) else { return ExitCode.config }
        let report = await Doctor.run(configuration, locales: locales)
        // The plugins never print a secret; this is the second line of defence.
        print(configuration.redacting(report.render()), terminator: "")
        return report.failed ? ExitCode.failure : ExitCode.ok
    }

    /// `en`, `de-AT`, `pt_BR`: letters, digits, `-` and `_`, starting with a letter.
    static func isLocale(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter, text.count <= 35 else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
