import HeraldConfig
import HeraldCore
import HeraldHTTP

/// `herald health [--ready]`: asks the running daemon's first listener for `/healthz` (or
/// `/readyz`), for a container's HEALTHCHECK or an exec probe in an image without curl.
/// Exit 0 when it answers 200, 1 otherwise.
enum HealthCommand {
    static let defaultTimeout: Duration = .seconds(5)

    static func run(_ arguments: CommandLineArguments) async -> Int32 {
        if let unknown = arguments.options.keys.first(where: { !["config", "address", "timeout"].contains($0) })
            ?? arguments.flags.first(where: { $0 != "ready" })
        {
            writeError("herald: unknown option '--\(unknown)'\n\n\(Help.health)")
            return ExitCode.usage
        }
        if let extra = arguments.positionals.first {
            writeError("herald: unexpected argument '\(extra)'\n\n\(Help.health)")
            return ExitCode.usage
        }
        var timeout = defaultTimeout
        if let text = arguments.options["timeout"] {
            guard case .duration(let parsed) = parseConfiguredDuration(text), parsed > .zero else {
                writeError("herald: --timeout takes a duration such as 2s or 500ms\n\n\(Help.health)")
                return ExitCode.usage
            }
            timeout = parsed
        }
        let address: HTTPListenAddress
        if let text = arguments.options["address"] {
            guard let parsed = try? HTTPListenAddress(parsing: text), !isDescriptor(parsed) else {
                writeError("herald: --address takes host:port, [ipv6]:port or unix:/path\n\n\(Help.health)")
                return ExitCode.usage
            }
            address = parsed
        } else {
            switch configuredAddress(Commands.configPath(arguments)) {
            case .success(let configured): address = configured
            case .failure(let failure): return failure.code
            }
        }
        let path = arguments.flags.contains("ready") ? "/readyz" : "/healthz"
        let answer: HTTPProbe.Answer
        do {
            answer = try HTTPProbe(address: address, timeout: timeout).get(path)
        } catch {
            writeError("herald: \(path) at \(address): \(error)\n")
            return ExitCode.failure
        }
        let body = answer.body.trimmingSuffix { $0 == "\n" || $0 == "\r" }
        guard answer.status == 200 else {
            writeError("herald: \(path) at \(address) answered \(answer.status): \(body)\n")
            return ExitCode.failure
        }
        print(body)
        return ExitCode.ok
    }

    /// The first listener of the configuration, read without its secrets (a probe has none to
    /// spare, and needs none); its problems are printed and end the command with 78.
    private static func configuredAddress(_ path: String?) -> Result<HTTPListenAddress, ExitFailure> {
        let loader = ConfigLoader(plugins: builtinPlugins, secrets: SecretResolver(readsSecrets: false))
        let result = loader.load(path: path)
        guard let configuration = result.configuration else {
            writeError(result.renderedDiagnostics)
            return .failure(ExitFailure(ExitCode.config))
        }
        switch configuration.listeners.first {
        case .tcp(_, 0):
            writeError("herald: the first listener has port 0 (any free port); say which with --address\n")
            return .failure(ExitFailure(ExitCode.usage))
        case .tcp(let host, let port): return .success(.tcp(host: host, port: UInt16(port)))
        case .unix(let path): return .success(.unix(path: path))
        case nil:
            writeError("herald: \(configuration.source) has no listener; say which with --address\n")
            return .failure(ExitFailure(ExitCode.config))
        }
    }

    private static func isDescriptor(_ address: HTTPListenAddress) -> Bool {
        if case .fileDescriptor = address { return true }
        return false
    }

    /// An exit code as a failure of `Result`.
    struct ExitFailure: Error {
        let code: Int32
        init(_ code: Int32) { self.code = code }
    }
}

extension StringProtocol {
    /// The text without the characters at its end that match `matching`.
    fileprivate func trimmingSuffix(while matching: (Character) -> Bool) -> String {
        var text = String(self)
        while let last = text.last, matching(last) { text.removeLast() }
        return text
    }
}
