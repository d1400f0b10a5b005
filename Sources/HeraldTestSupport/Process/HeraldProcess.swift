import Foundation
import Synchronization

/// Runs the real `herald` binary for integration tests: starts it in a temporary directory,
/// collects its stderr (the log), waits until it listens, and stops it with a signal.
package final class HeraldProcess: Sendable {
    /// The `herald` executable built next to the test bundle.
    package static var executableURL: URL {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("herald")
    }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// The result of a command that ran to its end.
    package struct Result: Sendable {
        package let status: Int32
        package let stdout: String
        package let stderr: String
    }

    /// Collects the child's output; shared with the pipe's reading handler.
    final class OutputBuffer: Sendable {
        let text = Mutex("")
    }

    private let process: Process
    private let log: OutputBuffer
    package let directory: URL

    private init(process: Process, log: OutputBuffer, directory: URL) {
        self.process = process
        self.log = log
        self.directory = directory
    }

    /// Everything the daemon wrote to stderr so far.
    package var output: String { log.text.withLock { $0 } }

    package var processIdentifier: Int32 { process.processIdentifier }
    package var isRunning: Bool { process.isRunning }

    /// Starts `herald arguments…` in `directory` with `environment` added to a minimal one;
    /// through `launcher` when given (`["/usr/bin/unshare", "--pid", "--fork"]` runs
    /// `unshare --pid --fork <herald> arguments…`, and `processIdentifier` is the launcher's).
    package static func start(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], launcher: [String] = []
    ) throws -> HeraldProcess {
        let process = Process()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [executableURL.path] + arguments
        } else {
            process.executableURL = executableURL
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        let log = OutputBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { log.text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try process.run()
        return HeraldProcess(process: process, log: log, directory: directory)
    }

    /// Runs `herald arguments…` to completion (for check, explain, version).
    package static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
    ) throws -> Result {
        let process = Process()
        process.executableURL = executableURL
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes fully before waiting, so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// How much output there is so far, in UTF-8 bytes: pass it as `after:` to wait only for
    /// lines written from now on.
    package var outputLength: Int { log.text.withLock { $0.utf8.count } }

    /// Waits until the log has a line containing `text` (after the first `offset` bytes of
    /// output); returns that line.
    @discardableResult
    package func waitForLog(_ text: String, after offset: Int = 0, timeout: Duration = .seconds(10)) async throws
        -> String
    {
        let deadline = ContinuousClock.now + timeout
        var searched = offset
        // Looks once more after the sleep that passes the deadline: on a loaded machine that
        // sleep can last seconds, and the line may have come meanwhile.
        while true {
            // Only the part not searched yet (from the start of its first line) is looked at.
            let (found, length) = log.text.withLock { output -> (String?, Int) in
                let utf8 = output.utf8
                let start = utf8.index(utf8.startIndex, offsetBy: min(searched, utf8.count))
                let lineStart =
                    output[..<start].lastIndex(of: "\n").map { output.index(after: $0) } ?? output.startIndex
                let line = output[lineStart...].split(separator: "\n").first { $0.contains(text) }
                return (line.map(String.init), utf8.count)
            }
            if let found { return found }
            searched = length
            if !process.isRunning {
                throw Failure(
                    description:
                        "herald exited with \(process.terminationStatus) before logging '\(text)':\n\(output.suffix(4000))"
                )
            }
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure(description: "timed out waiting for '\(text)' in the log:\n\(output.suffix(4000))")
    }

    /// Waits for the `listening` line (logfmt or JSON) and returns the address (`127.0.0.1:PORT`).
    package func listeningAddress() async throws -> String {
        // Generous: a loaded CI machine (two cores, builds and fuzzers beside) can take seconds.
        let deadline = ContinuousClock.now + .seconds(30)
        // Looks once more after the sleep that passes the deadline: on a starved machine one
        // sleep can outlast the whole wait.
        while true {
            for line in output.split(separator: "\n")
            where line.contains("msg=listening") || line.contains(#""msg":"listening""#) {
                if let range = line.range(of: "address=") {
                    return String(line[range.upperBound...].prefix { $0 != " " })
                }
                if let range = line.range(of: #""address":""#) {
                    return String(line[range.upperBound...].prefix { $0 != "\"" })
                }
            }
            if !process.isRunning {
                throw Failure(
                    description:
                        "herald exited with \(process.terminationStatus) before listening:\n\(output.suffix(4000))")
            }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure(description: "herald did not log its listening address:\n\(output.suffix(4000))")
    }

    package func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    package func stop(timeout: Duration = .seconds(15)) async throws -> Int32 {
        if process.isRunning { signal(SIGTERM) }
        return try await waitForExit(timeout: timeout)
    }

    package func waitForExit(timeout: Duration = .seconds(15)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                signal(SIGKILL)
                throw Failure(description: "herald did not exit in time:\n\(output)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A fresh temporary directory for one test.
package func makeTemporaryDirectory(_ prefix: String = "herald-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
