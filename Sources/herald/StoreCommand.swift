import FoundationEssentials
import HeraldConfig
import HeraldCore
import HeraldPostgres

/// `herald store migrate [--config F]`: creates or upgrades Herald's tables in the PostgreSQL
/// database of `store.postgres.dsn`. Versioned and idempotent; safe from two hosts at once.
enum StoreCommand {
    static func run(_ arguments: CommandLineArguments) async -> Int32 {
        if let unknown = arguments.options.keys.first(where: { $0 != "config" }) ?? arguments.flags.first {
            writeError("herald: unknown option '--\(unknown)'\n\n\(Help.store)")
            return ExitCode.usage
        }
        guard arguments.positionals == ["migrate"] else {
            let problem =
                arguments.positionals.isEmpty
                ? "missing subcommand" : "unknown subcommand '\(arguments.positionals.joined(separator: " "))'"
            writeError("herald: \(problem)\n\n\(Help.store)")
            return ExitCode.usage
        }
        guard let configuration = Commands.loadForStore(Commands.configPath(arguments)) else { return ExitCode.config }
        guard case .postgres(let settings) = configuration.store else {
            writeError(
                "herald: \(configuration.source) uses the local store, which needs no migration (store: postgres: {dsn: …} to use PostgreSQL)\n"
            )
            return ExitCode.usage
        }
        guard PostgresConnection.isValid(dsn: settings.dsn) else {
            writeError("herald: store.postgres.dsn is not a connection string libpq can read\n")
            return ExitCode.config
        }
        do throws(PostgresError) {
            let connection = try PostgresConnection(dsn: settings.dsn, connectTimeout: settings.connectTimeout)
            let applied = try PostgresSchema.migrate(connection)
            if applied.isEmpty {
                print("the schema is up to date (version \(PostgresSchema.current))")
            } else {
                print(
                    "applied schema version\(applied.count == 1 ? "" : "s") \(applied.map(String.init).joined(separator: ", ")); now at \(PostgresSchema.current)"
                )
            }
            return ExitCode.ok
        } catch {
            writeError("herald: \(settings.redacted(configuration.redacting(error.description)))\n")
            return error.kind == .schema ? ExitCode.config : ExitCode.failure
        }
    }
}
