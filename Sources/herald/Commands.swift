import FoundationEssentials
import HeraldCommands
import HeraldConfig
import HeraldCore
import HeraldDaemon

/// The commands of design §8.
enum Commands {
    static let defaultConfigPath = "/etc/herald/herald.yaml"

    static func serve(_ arguments: CommandLineArguments) async -> Int32 {
        guard checkUsage(arguments, allowed: ["config"], positionals: 0, help: Help.serve) else {
            return ExitCode.usage
        }
        let path = configPath(arguments)
        var warnings = ""
        guard let configuration = load(path, warnings: &warnings) else { return ExitCode.config }
        let daemon = Daemon(
            configuration: configuration, loader: ConfigLoader(plugins: builtinPlugins), configPath: path,
            warnings: warnings)
        return await daemon.run()
    }

    static func check(_ arguments: CommandLineArguments) async -> Int32 {
        guard
            checkUsage(
                arguments, allowed: ["config"], flags: ["no-secrets", "no-tests"], positionals: 0, help: Help.check)
        else {
            return ExitCode.usage
        }
        let readsSecrets = !arguments.flags.contains("no-secrets")
        guard let configuration = load(configPath(arguments), readsSecrets: readsSecrets) else {
            return ExitCode.config
        }
        print(CheckReport.render(configuration), terminator: "")
        // The route tests beside the routes: a config whose tests fail is refused (so is the
        // reload that systemd's ExecReload checks first).
        guard !arguments.flags.contains("no-tests") else { return ExitCode.ok }
        let tests = RouteTestSuite.run(configuration)
        guard !tests.isEmpty else { return ExitCode.ok }
        if let problems = tests.problems { writeError(problems) }
        print(tests.render(verbose: false), terminator: "")
        return tests.failed == 0 && tests.problems == nil ? ExitCode.ok : ExitCode.failure
    }

    static func test(_ arguments: CommandLineArguments) async -> Int32 {
        guard
            checkUsage(
                arguments, allowed: ["config"], flags: ["verbose"], positionals: arguments.positionals.count,
                help: Help.test)
        else {
            return ExitCode.usage
        }
        // Tests never need the secrets: they run on placeholders, as `check --no-secrets` does.
        guard let configuration = load(configPath(arguments), readsSecrets: false) else { return ExitCode.config }
        let files = arguments.positionals.isEmpty ? nil : arguments.positionals
        let tests = RouteTestSuite.run(configuration, files: files)
        if let problems = tests.problems { writeError(problems) }
        if tests.isEmpty {
            writeError("herald: no route tests (*.test.yaml beside the configuration's route files)\n")
            return ExitCode.failure
        }
        print(tests.render(verbose: arguments.flags.contains("verbose")), terminator: "")
        return tests.failed == 0 && tests.problems == nil ? ExitCode.ok : ExitCode.failure
    }

    static func explain(_ arguments: CommandLineArguments) async -> Int32 {
        guard
            checkUsage(
                arguments, allowed: ["config", "event", "method"], flags: ["no-secrets"], positionals: 1,
                help: Help.explain)
        else {
            return ExitCode.usage
        }
        let method = arguments.options["method"]
        if let method, !HookQuery.isMethodName(method[...]) {
            writeError(
                "herald: --method takes a Kratos method name such as password, oidc or profile\n\n\(Help.explain)")
            return ExitCode.usage
        }
        let payloadPath = arguments.positionals[0]
        guard let data = FileManager.default.contents(atPath: payloadPath) else {
            writeError("herald: cannot read \(payloadPath)\n")
            return ExitCode.failure
        }
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: [UInt8](data))
        } catch {
            writeError("herald: \(payloadPath) is not valid JSON: \(error.description)\n")
            return ExitCode.failure
        }
        guard let (name, payload) = eventName(arguments.options["event"], document.root, file: payloadPath) else {
            return ExitCode.usage
        }
        guard let configuration = load(configPath(arguments), readsSecrets: !arguments.flags.contains("no-secrets"))
        else { return ExitCode.config }
        let event = Event(
            id: TimeOrderedIDGenerator().next(), name: name, receivedAt: .now, triggerID: nil, payload: payload,
            hookMethod: method)
        print(Explanation.render(configuration, event: event), terminator: "")
        return ExitCode.ok
    }

    static func version(_ arguments: CommandLineArguments) async -> Int32 {
        guard checkUsage(arguments, allowed: [], positionals: 0, help: Help.version) else { return ExitCode.usage }
        print("herald \(HeraldVersion.current)")
        return ExitCode.ok
    }

    /// The event to explain: `--event`, else the envelope's `event`, else a courier message's type.
    private static func eventName(_ option: String?, _ root: JSONValue, file: String) -> (EventName, JSONValue)? {
        switch ExplainInput.choose(name: option, root: root) {
        case .event(let name, let payload):
            return (name, payload)
        case .problem(let problem):
            if root.kind != .object {
                writeError("herald: \(file) must hold a JSON object\n")
            } else if option != nil {
                writeError("herald: \(problem)\n")
            } else {
                writeError(
                    "herald: say which event the payload is with --event NAME (such as registration.after)\n\n\(Help.explain)"
                )
            }
            return nil
        }
    }

    static func configPath(_ arguments: CommandLineArguments) -> String? {
        if let path = arguments.options["config"] { return path }
        return FileManager.default.fileExists(atPath: defaultConfigPath) ? defaultConfigPath : nil
    }

    /// Loads the configuration, printing every problem; nil when there were any. With
    /// `readsSecrets` false, secret references are checked for form only and read as placeholders.
    static func load(_ path: String?, readsSecrets: Bool = true) -> HeraldConfiguration? {
        var warnings = ""
        return load(path, readsSecrets: readsSecrets, warnings: &warnings)
    }

    /// `load`, handing back the warnings it printed (the console shows them).
    static func load(_ path: String?, readsSecrets: Bool = true, warnings: inout String) -> HeraldConfiguration? {
        let loader = ConfigLoader(plugins: builtinPlugins, secrets: SecretResolver(readsSecrets: readsSecrets))
        let result = loader.load(path: path)
        warnings = result.renderedWarnings
        writeError(warnings)
        guard let configuration = result.configuration else {
            writeError(result.renderedDiagnostics)
            let count = result.diagnostics.count
            writeError("herald: \(count) problem\(count == 1 ? "" : "s") in the configuration\n")
            return nil
        }
        return configuration
    }

    /// The configuration for a command that needs only the job store (`herald queue|dead`,
    /// `herald store migrate`): the actions' secrets are not read, since an operator's shell seldom
    /// has them (systemd credentials exist only for the service); all are read only when the
    /// store's DSN holds a reference itself.
    static func loadForStore(_ path: String?) -> HeraldConfiguration? {
        guard let configuration = load(path, readsSecrets: false) else { return nil }
        if case .postgres(let settings) = configuration.store, settings.dsn.contains(SecretResolver.placeholder) {
            return load(path)
        }
        return configuration
    }

    private static func checkUsage(
        _ arguments: CommandLineArguments, allowed: Set<String>, flags: Set<String> = [], positionals: Int,
        help: String
    ) -> Bool {
        if let unknown = arguments.options.keys.first(where: { !allowed.contains($0) })
            ?? arguments.flags.first(where: { !flags.contains($0) })
        {
            writeError("herald: unknown option '--\(unknown)'\n\n\(help)")
            return false
        }
        guard arguments.positionals.count == positionals else {
            let problem =
                arguments.positionals.count > positionals
                ? "unexpected argument '\(arguments.positionals[positionals])'"
                : "missing argument"
            writeError("herald: \(problem)\n\n\(help)")
            return false
        }
        return true
    }
}
