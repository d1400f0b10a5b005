import Foundation
import HeraldTestSupport

/// The files in deploy/, read through `scripts/deploy-check` (PyYAML and jsonschema) and Herald.
enum DeployFiles {
    static let folder = SystemTools.repository.appendingPathComponent("deploy")

    /// python3 with PyYAML and jsonschema (`scripts/setup --ops`).
    static let available = Integration.pythonCanImport("yaml", "jsonschema")
    static let missing = "python3 with PyYAML and jsonschema is needed: run scripts/setup --ops"

    /// And kubernetes-validate, for the Kubernetes manifests.
    static let kubernetesValidateAvailable = available && Integration.pythonCanImport("kubernetes_validate")
    static let kubernetesValidateMissing =
        "python3 with kubernetes-validate, PyYAML and jsonschema is needed: run scripts/setup --ops"

    struct Result: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `executable arguments…` to its end on a thread of its own (BlockingWork).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) async throws -> Result {
        try await BlockingWork.run { try runBlocking(executable, arguments, environment: environment) }
    }

    /// Runs `executable arguments…` to its end, stdout and stderr apart.
    private static func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String]? = nil)
        throws -> Result
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // What these tools print is small: stdout first, then stderr, cannot fill both pipes.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `scripts/deploy-check arguments…`.
    static func check(_ arguments: [String]) async throws -> Result {
        try await run(
            "/usr/bin/env",
            ["python3", SystemTools.repository.appendingPathComponent("scripts/deploy-check").path] + arguments)
    }

    /// What `scripts/deploy-check` printed, parsed.
    static func json(_ result: Result) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// `herald arguments…` to its end, off the cooperative pool.
    static func herald(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
    ) async throws -> HeraldProcess.Result {
        try await BlockingWork.run { try HeraldProcess.run(arguments, in: directory, environment: environment) }
    }

    /// `herald version`'s number: the tag the deployment files must name.
    static func version() async throws -> String {
        let printed = try await BlockingWork.run { try HeraldProcess.run(["version"]) }.stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return String(printed.dropFirst("herald ".count))
    }
}
