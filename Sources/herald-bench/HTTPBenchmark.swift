import Foundation
import HeraldHTTP

/// `herald-bench http [port]`: serves a canned 202 JSON answer to every request on 127.0.0.1
/// (port 0 by default), prints the port and runs until killed. `scripts/bench-http` drives it with
/// wrk next to nginx and prints both rates.
func runHTTPBenchmark() throws {
    let arguments = CommandLine.arguments.dropFirst(2)
    let port = arguments.first.flatMap { UInt16($0) } ?? 0
    let server = HTTPServer(
        configuration: HTTPServerConfiguration(listeners: [.tcp(host: "127.0.0.1", port: port)]),
        responder: CannedResponder())
    try server.start()
    guard case .tcp(_, let boundPort) = server.boundAddresses.first else { return }
    print("listening 127.0.0.1:\(boundPort)")
    fflush(nil)  // all streams: the script reads the port from a pipe
    server.waitUntilStopped()
}

/// Answers 202 with a fixed summary, as Herald's ingress does once an event is durable.
private struct CannedResponder: HTTPResponder {
    let response = HTTPResponse.json(
        202,
        Array(
            #"{"event_id":"01HZX3J6Q0000000000000000","event":"registration.after","jobs":1,"routes":["welcome"],"duplicate":false}"#
                .utf8))

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        writer.respond(response)
    }
}
