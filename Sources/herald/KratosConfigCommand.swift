import FoundationEssentials
import HeraldCommands
import HeraldConfig

/// `herald kratos-config [--config F] [--url BASE] [--kratos-version V] [--merge KRATOS.yml]
/// [--with-secrets]` (design §8): prints the Kratos hooks and courier configuration that match the
/// loaded routes, alone or merged into the user's Kratos configuration.
enum KratosConfigCommand {
    static let options: Set<String> = ["config", "url", "kratos-version", "merge"]

    static func run(_ arguments: CommandLineArguments) async -> Int32 {
        if let unknown = arguments.options.keys.first(where: { !options.contains($0) })
            ?? arguments.flags.first(where: { $0 != "with-secrets" })
        {
            writeError("herald: unknown option '--\(unknown)'\n\n\(Help.kratosConfig)")
            return ExitCode.usage
        }
        guard arguments.positionals.isEmpty else {
            writeError("herald: unexpected argument '\(arguments.positionals[0])'\n\n\(Help.kratosConfig)")
            return ExitCode.usage
        }
        var baseURL: KratosBaseURL?
        var target = KratosTarget.oldest
        do {
            if let text = arguments.options["url"] { baseURL = try KratosBaseURL(parsing: text) }
        } catch {
            writeError("herald: \(error.description)\n\n\(Help.kratosConfig)")
            return ExitCode.usage
        }
        do {
            if let text = arguments.options["kratos-version"] { target = try KratosTarget(parsing: text) }
        } catch {
            writeError("herald: \(error.message)\n\n\(Help.kratosConfig)")
            return ExitCode.usage
        }
        // Without --with-secrets the output holds placeholders only, so no secret is read: the
        // command works where the secrets are not (a laptop, CI).
        let withSecrets = arguments.flags.contains("with-secrets")
        guard let configuration = Commands.load(Commands.configPath(arguments), readsSecrets: withSecrets) else {
            return ExitCode.config
        }
        if baseURL == nil {
            do {
                baseURL = try KratosBaseURL(listeners: configuration.listeners)
            } catch {
                writeError("herald: \(error.description)\n\n\(Help.kratosConfig)")
                return ExitCode.usage
            }
        }
        guard let baseURL else { return ExitCode.usage }
        let renderer = KratosConfigRenderer(
            configuration: configuration, baseURL: baseURL, withSecrets: withSecrets, target: target)
        guard let kratosFile = arguments.options["merge"] else {
            print(renderer.render(), terminator: "")
            return ExitCode.ok
        }
        do {
            print(try KratosConfigMerger(renderer: renderer).merge(path: kratosFile), terminator: "")
        } catch {
            writeError("herald: cannot merge into \(kratosFile):\n\(error.message)")
            return ExitCode.failure
        }
        return ExitCode.ok
    }
}
