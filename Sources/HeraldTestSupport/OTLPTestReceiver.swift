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
package final class OTLPTestReceiver: Sendable {
    /// Why the receiver cannot run here, nil when it can.
    package static var unavailableReason: String? {
        PythonTestServer.succeeds(["python3", "-c", "from opentelemetry.proto.collector.trace.v1 import trace_service_pb2"])
            ? nil
            : "python3 cannot import opentelemetry.proto (pip install opentelemetry-proto, as scripts/setup --ops does)"
    }

    package var port: Int { server.port }
    package let directory: URL
    private let server: PythonTestServer

    /// Starts a receiver and waits until it accepts connections.
    /// - Parameter status: the status to answer every export with; anything but 200 records nothing.
    /// - Throws: `OTLPTestReceiverError` when it does not start.
    package init(status: Int = 200) throws {
        directory = try makeTemporaryDirectory("herald-otlp")
        server = try PythonTestServer(
            script: ReferenceFiles.packageRoot + "/scripts/otlp-test-receiver",
            arguments: ["--directory", directory.path, "--status", String(status)],
            failure: { OTLPTestReceiverError(reason: "otlp-test-receiver did not start: \($0)") })
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
    package func stop() { server.stop() }
}

/// The OTLP test receiver could not start.
package struct OTLPTestReceiverError: Error, CustomStringConvertible {
    package let reason: String
    package var description: String { reason }
}
