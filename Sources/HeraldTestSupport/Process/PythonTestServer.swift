import Foundation

/// A test server written in Python (scripts/smtp-test-server, scripts/otlp-test-receiver): runs
/// `python3 SCRIPT ARGUMENTS…`, waits for its first line, `listening PORT`, and stops it with
/// SIGKILL (the test process may block SIGTERM, and a child inherits the blocked mask).
package final class PythonTestServer: @unchecked Sendable {
    // @unchecked: `port` is set in init; `process` only changes in `stop`, called from the test.

    package let port: Int
    private var process: Process?

    /// Starts the script and waits until it listens.
    /// - Throws: `reason(firstLine)` when it does not say `listening PORT` first; the process
    ///   errors of `Process.run`.
    package init(script: String, arguments: [String], failure reason: (String) -> any Error) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        let words = text.split(separator: " ")
        guard words.count == 2, words[0] == "listening",
            let listening = Int(words[1].trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw reason(text)
        }
        port = listening
        self.process = process
    }

    /// True when `arguments` (run through /usr/bin/env, output discarded) exits with 0.
    package static func succeeds(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Stops the server (idempotent).
    package func stop() {
        guard let process else { return }
        self.process = nil
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
