import FoundationEssentials
import HeraldCore

/// `tracing:`: exporting spans over OTLP/HTTP (JSON) to a collector. Off unless the section is
/// there. Trace context (`traceparent` in, carried in jobs, out on every attempt, `trace_id` in
/// logs) works without it.
///
/// ```yaml
/// tracing:
///   endpoint: http://127.0.0.1:4318/v1/traces   # the whole URL, as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
///   headers: { Authorization: "Bearer ${env:OTLP_TOKEN}" }
///   service_name: herald
///   batch_size: 512      # spans per export request
///   buffer: 4096         # spans waiting; more are dropped (herald_spans_dropped_total)
///   interval: 5s         # the longest a span waits for its batch
///   timeout: 10s         # one export request
/// ```
package struct TracingSettings: Sendable, Equatable {
    package var endpoint: URL
    /// Extra request headers (an API key); values may be secrets and are never printed.
    package var headers: [Header] = []
    package var serviceName = "herald"
    package var batchSize = 512
    package var buffer = 4096
    package var interval: Duration = .seconds(5)
    package var timeout: Duration = .seconds(10)

    package static let batchSizeRange = 1...10_000
    package static let bufferRange = 1...1_000_000
    package static let intervalRange: ClosedRange<Duration> = .milliseconds(100) ... .seconds(60)
    package static let timeoutRange: ClosedRange<Duration> = .seconds(1) ... .seconds(60)

    /// One configured header.
    package struct Header: Sendable, Equatable {
        package var name: String
        package var value: String

        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    package init(endpoint: URL) {
        self.endpoint = endpoint
    }
}

extension ConfigurationBuilder {
    static let tracingKeys = ["endpoint", "headers", "service_name", "batch_size", "buffer", "interval", "timeout"]
    /// Headers the exporter sets itself.
    static let tracingReservedHeaders = ["content-type", "content-length", "host", "transfer-encoding", "expect"]

    mutating func readTracing(_ node: ConfigNode) {
        guard
            let map = ConfigMap(node, keys: Self.tracingKeys, what: "'tracing'", diagnostics: diagnostics),
            let text = map.string("endpoint", required: true)
        else { return }
        let at = map.node("endpoint") ?? node
        guard let endpoint = URL(string: text), let scheme = endpoint.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = endpoint.host, !host.isEmpty
        else {
            diagnostics.error(
                "'endpoint' must be an http or https URL such as http://127.0.0.1:4318/v1/traces", at: at)
            return
        }
        var settings = TracingSettings(endpoint: endpoint)
        if let headers = map.node("headers") { settings.headers = readTracingHeaders(headers) }
        if let name = map.string("service_name") {
            if name.isEmpty || name.utf8.count > 128 {
                diagnostics.error("'service_name' must be 1 to 128 characters", at: map.node("service_name") ?? node)
            } else {
                settings.serviceName = name
            }
        }
        if let value = map.int("batch_size", in: TracingSettings.batchSizeRange) { settings.batchSize = value }
        if let value = map.int("buffer", in: TracingSettings.bufferRange) { settings.buffer = value }
        if settings.buffer < settings.batchSize {
            diagnostics.error(
                "'buffer' (\(settings.buffer)) must hold at least one batch ('batch_size' \(settings.batchSize))",
                at: map.node("buffer") ?? map.node("batch_size") ?? node)
        }
        for (key, range) in [("interval", TracingSettings.intervalRange), ("timeout", TracingSettings.timeoutRange)] {
            guard let value = map.duration(key) else { continue }
            guard range.contains(value) else {
                diagnostics.error(
                    "'\(key)' must be between \(range.lowerBound.compactDescription) and \(range.upperBound.compactDescription)",
                    at: map.node(key) ?? node)
                continue
            }
            if key == "interval" { settings.interval = value } else { settings.timeout = value }
        }
        tracing = settings
    }

    private func readTracingHeaders(_ node: ConfigNode) -> [TracingSettings.Header] {
        guard let pairs = node.mapping else {
            diagnostics.error(
                "'headers' must be a map of header names to values, found \(node.kindDescription)", at: node)
            return []
        }
        var headers: [TracingSettings.Header] = []
        for pair in pairs {
            guard let name = pair.key.scalar?.text, !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                diagnostics.error(
                    "'headers': \(pair.key.displayValue) is not a header name (letters, digits and !#$%&'*+-.^_`|~)",
                    at: pair.key)
                continue
            }
            if Self.tracingReservedHeaders.contains(name.lowercased()) {
                diagnostics.error("'headers': \(name) is set by the exporter", at: pair.key)
                continue
            }
            // Never quoted: the value may be a secret.
            guard let scalar = pair.value.scalar, !pair.value.isNull,
                !scalar.text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F })
            else {
                diagnostics.error(
                    "'headers': the value of \(name) must be text without control characters", at: pair.value)
                continue
            }
            headers.append(TracingSettings.Header(name: name, value: scalar.text))
        }
        return headers
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}
