import Foundation
import HeraldConfig
import HeraldDaemon

/// `herald kratos-config [--config F] [--url BASE] [--with-secrets]` (design §8): prints the
/// Kratos hooks and courier configuration that match the loaded routes.
enum KratosConfigCommand {
    static func run(_ arguments: CommandLineArguments) async -> Int32 {
        if let unknown = arguments.options.keys.first(where: { $0 != "config" && $0 != "url" })
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
        if let text = arguments.options["url"] {
            do {
                baseURL = try KratosBaseURL(parsing: text)
            } catch {
                writeError("herald: \(error.description)\n\n\(Help.kratosConfig)")
                return ExitCode.usage
            }
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
            configuration: configuration, baseURL: baseURL, withSecrets: withSecrets)
        print(renderer.render(), terminator: "")
        return ExitCode.ok
    }
}
