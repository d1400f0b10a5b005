import FoundationEssentials
import Glibc
import HeraldCore

#if canImport(Glibc)
    import Glibc
#endif

/// The options of one `plugin: exec` action, validated.
struct ExecSettings: Sendable {
    static let keys = ["program", "args", "working_directory", "environment", "inherit_environment", "timeout"]
    static let defaultTimeout = Duration.seconds(30)
    static let timeoutRange = Duration.milliseconds(100)...Duration.seconds(3600)
    /// Jobs of one action run at most this many programs at once unless `concurrency` says.
    static let defaultConcurrency = 4
    /// The tail of stdout and of stderr kept from each run.
    static let outputLimit = 64 * 1024
    /// At most this many `args`.
    static let maxArguments = 256
    /// Herald sets these itself.
    static let reservedPrefix = "HERALD_"

    /// An absolute path, or a bare name looked up in `PATH` when the program runs.
    var program: String
    var searchesPath: Bool
    var arguments: [String]
    var workingDirectory: String?
    /// `NAME=value`, configured and inherited, in order; values are never printed.
    var environment: [String]
    /// The names in `environment`, for the summary.
    var environmentNames: [String]
    /// The values read from secret references, for the redactor.
    var secretValues: [String]
    var timeout: Duration

    /// Reads and checks `actions.NAME`, recording every problem; nil when any was found.
    static func parse(_ definition: ActionDefinition) -> ExecSettings? {
        let diagnostics = definition.diagnostics
        let before = diagnostics.items.count
        guard let options = definition.options(keys: keys) else { return nil }
        let program = options.node("program", required: true).flatMap {
            parseProgram($0, base: definition.baseDirectory, diagnostics: diagnostics)
        }
        let arguments = options.node("args").flatMap { parseArguments($0, diagnostics: diagnostics) } ?? []
        let directory = options.node("working_directory").flatMap {
            parseDirectory($0, base: definition.baseDirectory, diagnostics: diagnostics)
        }
        var environment = ExecEnvironment()
        if let node = options.node("environment") { environment.parse(node, diagnostics: diagnostics) }
        if let node = options.node("inherit_environment") { environment.inherit(node, diagnostics: diagnostics) }
        let timeout = options.duration("timeout")
        if let timeout, let node = options.node("timeout"), !timeoutRange.contains(timeout) {
            diagnostics.error("'timeout' must be between 100ms and 1h, found \(node.displayValue)", at: node)
        }
        guard diagnostics.items.count == before, let program else { return nil }
        return ExecSettings(
            program: program.path, searchesPath: program.searchesPath, arguments: arguments,
            workingDirectory: directory, environment: environment.entries, environmentNames: environment.names,
            secretValues: environment.secretValues, timeout: timeout ?? defaultTimeout)
    }

    /// An absolute path or one relative to the config file's directory, naming an executable
    /// file; or a bare name, found in `PATH` now when it can be (a warning when not: the
    /// service's `PATH` may differ from the shell's that runs `herald check`).
    static func parseProgram(
        _ node: ConfigNode, base: String, diagnostics: ConfigDiagnostics
    ) -> (path: String, searchesPath: Bool)? {
        guard let text = ConfigMap.string(node, key: "program", diagnostics: diagnostics) else { return nil }
        guard !text.isEmpty, !text.contains("\0") else {
            diagnostics.error("'program' is empty", at: node)
            return nil
        }
        if !text.contains("/") {
            for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
                let candidate = "\(directory)/\(text)"
                if isExecutableFile(candidate) { return (candidate, false) }
            }
            diagnostics.warning(
                "'program' \(node.displayValue) is not in PATH here; it is looked up in Herald's PATH when a job runs "
                    + "(an absolute path is safer)", at: node)
            return (text, true)
        }
        let path = text.hasPrefix("/") ? text : "\(base)/\(text)"
        var info = stat()
        guard stat(path, &info) == 0 else {
            diagnostics.error("'program' \(node.displayValue) does not exist (\(path))", at: node)
            return nil
        }
        guard (info.st_mode & S_IFMT) == S_IFREG, access(path, X_OK) == 0 else {
            diagnostics.error("'program' \(node.displayValue) is not an executable file (\(path))", at: node)
            return nil
        }
        return (path, false)
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    /// A list of constant text arguments. Secrets are refused: any local user can read a
    /// process's arguments in /proc, so they go in `environment`.
    static func parseArguments(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> [String]? {
        guard let items = node.sequence, items.count <= maxArguments else {
            diagnostics.error(
                "'args' must be a list of at most \(maxArguments) text values, found "
                    + (node.sequence.map { "\($0.count) items" } ?? node.kindDescription), at: node)
            return nil
        }
        var arguments: [String] = []
        for item in items {
            if item.scalar?.isSecret == true {
                diagnostics.error(
                    "'args' cannot hold a secret: other users can read a program's arguments; pass it in "
                        + "'environment'", at: item)
                continue
            }
            guard let text = ConfigMap.string(item, key: "args", acceptingScalars: true, diagnostics: diagnostics)
            else { continue }
            if text.contains("\0") {
                diagnostics.error("'args' cannot contain a NUL character", at: item)
                continue
            }
            arguments.append(text)
        }
        return arguments.count == items.count ? arguments : nil
    }

    /// An existing directory, absolute or relative to the config file's directory.
    static func parseDirectory(_ node: ConfigNode, base: String, diagnostics: ConfigDiagnostics) -> String? {
        guard let text = ConfigMap.string(node, key: "working_directory", diagnostics: diagnostics) else {
            return nil
        }
        let path = text.hasPrefix("/") ? text : "\(base)/\(text)"
        var status = stat()
        guard !text.isEmpty, stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            diagnostics.error("'working_directory' \(node.displayValue) is not a directory (\(path))", at: node)
            return nil
        }
        return path
    }
}
