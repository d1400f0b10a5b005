import Dispatch
import HeraldHTTP

extension MailchimpTestServer {
    /// Starts listening on `host` (loopback by default) and `port` (0: one the system picks), on
    /// Herald's own HTTP server.
    ///
    /// - Throws: `HTTPError` when the listener cannot be opened or the server was started before.
    public func start(host: String = "127.0.0.1", port requested: UInt16 = 0) throws(HTTPError) {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listeners: [.tcp(host: host, port: requested)]),
            responder: MailchimpTestResponder(server: self))
        try server.start()
        var port: UInt16 = 0
        if case .tcp(_, let bound)? = server.boundAddresses.first { port = bound }
        state.withLock { state in
            state.server = server
            state.baseURL = "http://\(host):\(port)/3.0"
        }
    }

    /// `http://127.0.0.1:PORT/3.0`, the value for an action's `base_url`; nil before `start()`.
    public var baseURL: String? {
        state.withLock { $0.baseURL }
    }

    /// Stops the server, closing connections still open after `grace`, and waits until it has.
    public func stop(grace: Duration = .seconds(1)) {
        guard let server = state.withLock({ $0.server }) else { return }
        server.stop(deadline: .now + grace)
        server.waitUntilStopped()
    }
}

/// Carries requests from the HTTP server to `MailchimpTestServer.handle` and answers back.
struct MailchimpTestResponder: HTTPResponder {
    let server: MailchimpTestServer

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        let recorded = MailchimpTestRequest(
            method: request.head.method, path: String(request.head.path), query: request.head.query.map(String.init),
            headers: request.head.headers.map { (name: $0.name, value: $0.value) }, body: request.body)
        switch server.handle(recorded) {
        case .respond(let response, let delay):
            let answer = HTTPResponse(
                status: response.status, headers: HTTPHeaders(response.headers.map { ($0.key, $0.value) }),
                body: response.body)
            if let delay {
                // Never sleep on the server thread: answer later from a global queue.
                let nanoseconds =
                    Int(delay.components.seconds) * 1_000_000_000 + Int(delay.components.attoseconds / 1_000_000_000)
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
                    server.finish()
                    writer.respond(answer)
                }
            } else {
                server.finish()
                writer.respond(answer)
            }
        case .close:
            server.finish()
            // HTTPResponseWriter cannot drop a connection unanswered, so send only an interim
            // (1xx) response and close: the client reads no final response at all.
            writer.respond(HTTPResponse(status: 102, headers: ["Connection": "close"]))
        }
    }
}
