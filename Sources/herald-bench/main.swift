// Micro-benchmarks that print figures; run with `swift run -c release herald-bench <name>`.
// Each benchmark compares against a reference measured in the same run, since the machine is noisy.
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let benchmarks: [String: () throws -> Void] = [
    "ack": runAckLatencyBenchmark,
    "crypto": runCryptoBenchmark,
    "client": runClientBenchmark,
    "curl": runCurlBenchmark,
    "http": runHTTPBenchmark,
    "json": jsonBenchmark,
    "spool": runSpoolBenchmark,
    "urlsession": runURLSessionBenchmark,
]

guard let name = arguments.first, let benchmark = benchmarks[name] else {
    FileHandle.standardError.write(
        Data("usage: herald-bench <\(benchmarks.keys.sorted().joined(separator: "|"))>\n".utf8))
    exit(2)
}
try benchmark()
