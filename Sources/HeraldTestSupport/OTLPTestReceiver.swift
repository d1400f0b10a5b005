import Foundation
import HeraldCore

/// An OTLP/HTTP trace receiver on loopback for the tracing tests: scripts/otlp-test-receiver,
/// which decodes every export with the OpenTelemetry protobuf definitions (PyPI
/// `opentelemetry-proto`, installed by scripts/setup --ops) and refuses, with 400, what does not
/// decode or has ids of the wrong size.
///
/// ```swift
/// let collector = try OTLPTestReceiver()
/// defer { collector.stop() }
/// // tracing: { endpoint: collector.endpoint }
/// let spans = collector.spans     // decoded spans, in the order they came
/// ```
package final class OTLPTestReceiver: @unchecked Sendable {
    // @unchecked: every property is a constant set in init, except `process`, which only `stop`
    // (called once, from the test) changes.

    /// Why the receiver cannot run here, nil when it can.
    package static var unavailableReason: String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "from opentelemetry.proto.collector.trace.v1 import trace_service_pb2"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        guard (try? process.run()) != nil else { return "python3 cannot be run" }
        process.waitUntilExit()
        return process.terminationStatus == 0
            ? nil
            : "python3 cannot import opentelemetry.proto (pip install opentelemetry-proto, as scripts/setup --ops does)"
    }

    package let port: Int
    package let directory: URL
    private var process: Process?

    /// Starts a receiver and waits until it accepts connections.
    /// - Parameter status: the status to answer every export with; anything but 200 records nothing.
    /// - Throws: `OTLPTestReceiverError` when it does not start.
    package init(status: Int = 200) throws {
        directory = try makeTemporaryDirectory("herald-otlp")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", ReferenceFiles.packageRoot + "/scripts/otlp-test-receiver", "--directory", directory.path,
            "--status", String(status),
        ]
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
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.count == 2, words[0] == "listening",
            let listening = Int(words[1].trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw OTLPTestReceiverError(
                reason: "otlp-test-receiver did not start: \(String(decoding: line, as: UTF8.self))")
        }
        port = listening
        self.process = process
    }

    /// `http://127.0.0.1:PORT/v1/traces`.
    package var endpoint: String { "http://127.0.0.1:\(port)/v1/traces" }

    /// The spans decoded so far, one object each (see scripts/otlp-test-receiver).
    package var spans: [JSON] { lines("spans.jsonl") }

    /// Exports refused for not decoding, with the reason.
    package var rejected: [JSON] { lines("rejected.jsonl") }

    private func lines(_ name: String) -> [JSON] {
        let path = directory.appendingPathComponent(name).path
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDocument(parsing: Array($0.utf8)).root.json }
    }

    /// Stops the receiver (idempotent).
    package func stop() {
        guard let process else { return }
        self.process = nil
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// The OTLP test receiver could not start.
package struct OTLPTestReceiverError: Error, CustomStringConvertible {
    package let reason: String
    package var description: String { reason }
}
