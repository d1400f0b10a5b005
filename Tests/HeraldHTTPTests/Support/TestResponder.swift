import Dispatch
import Glibc
import HeraldHTTP
import Synchronization

/// Answers according to the path:
/// - `/deny` is refused by `screen` with 401;
/// - `/defer` is answered from another thread after a short delay;
/// - `/twice` is answered twice (the second answer must be ignored);
/// - `/hold` is kept until `releaseHeld` is called;
/// - `/big` gets a 4 MiB body, `/length` the length of the request body;
/// - anything else gets 200 with `METHOD target body=<body>`.
final class TestResponder: HTTPResponder {
    private let held = Mutex<[HTTPResponseWriter]>([])

    func screen(_ head: HTTPRequestHead) -> HTTPResponse? {
        head.path == "/deny" ? .text(401, "denied") : nil
    }

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        let echo = HTTPResponse.text(
            200, "\(request.head.method) \(request.head.target) body=\(String(decoding: request.body, as: UTF8.self))")
        switch request.head.path {
        case "/defer":
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { writer.respond(echo) }
        case "/twice":
            writer.respond(echo)
            writer.respond(.text(500, "second answer"))
            DispatchQueue.global().async { writer.respond(.text(500, "third answer")) }
        case "/big":
            writer.respond(HTTPResponse(status: 200, body: [UInt8](repeating: UInt8(ascii: "b"), count: 4 << 20)))
        case "/length":
            writer.respond(.text(200, "\(request.body.count)"))
        case "/hold":
            held.withLock { $0.append(writer) }
        default:
            writer.respond(echo)
        }
    }

    var heldCount: Int { held.withLock { $0.count } }

    func releaseHeld() {
        let writers = held.withLock { writers in
            defer { writers = [] }
            return writers
        }
        for writer in writers { writer.respond(.text(200, "released")) }
    }
}

/// Starts a server on `127.0.0.1:0` (or the given listeners), runs `body`, then stops it and
/// checks that it stops.
func withServer(
    listeners: [HTTPListenAddress] = [.tcp(host: "127.0.0.1", port: 0)],
    responder: TestResponder = TestResponder(),
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (HTTPServer, HTTPListenAddress) throws -> Void
) throws {
    var configuration = HTTPServerConfiguration(listeners: listeners)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, responder: responder)
    try server.start()
    defer {
        server.stop(deadline: .now + .milliseconds(500))
        waitForStop(server)
    }
    guard let address = server.boundAddresses.first else { throw TestClientError(description: "no address") }
    try body(server, address)
}

/// Waits for the server to stop, failing (instead of hanging) after a generous bound.
@discardableResult
func waitForStop(_ server: HTTPServer, within seconds: Int = 10) -> Bool {
    let stopped = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        server.waitUntilStopped()
        stopped.signal()
    }
    return stopped.wait(timeout: .now() + .seconds(seconds)) == .success
}

/// Polls `condition` every 10 ms, up to a generous bound.
func eventually(within seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
