import Dispatch
import HeraldHTTP

extension WebhookTestServer {
    /// Starts listening on `host` (loopback by default) and `port` (0: one the system picks), on
    /// Herald's own HTTP server.
    ///
    /// - Throws: `HTTPError` when the listener cannot be opened or the server was started before.
    public func start(host: String = "127.0.0.1", port requested: UInt16 = 0) throws(HTTPError) {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listeners: [.tcp(host: host, port: requested)]),
            responder: WebhookTestResponder(server: self))
        try server.start()
        var port: UInt16 = 0
        if case .tcp(_, let bound)? = server.boundAddresses.first { port = bound }
        state.withLock { state in
            state.server = server
            state.baseURL = "http://\(host):\(port)"
        }
    }

    /// `http://127.0.0.1:PORT`; nil before `start()`.
    public var baseURL: String? {
        state.withLock { $0.baseURL }
    }

    /// `baseURL` + `path`, the value for an action's `url`.
    public func url(_ path: String = "/hooks/herald") -> String {
        (baseURL ?? "http://127.0.0.1:1") + path
    }

    /// Stops the server, closing connections still open after `grace`, and waits until it has.
    public func stop(grace: Duration = .seconds(1)) {
        guard let server = state.withLock({ $0.server }) else { return }
        server.stop(deadline: .now + grace)
        server.waitUntilStopped()
    }
}

/// Carries requests from the HTTP server to `WebhookTestServer.handle` and answers back.
struct WebhookTestResponder: HTTPResponder {
    let server: WebhookTestServer

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        let recorded = MandrillTestRequest(
            method: request.head.method, path: String(request.head.path),
            headers: request.head.headers.map { (name: $0.name, value: $0.value) }, body: request.body)
        answer(server.handle(recorded), writer: writer)
    }

    private func answer(_ reply: WebhookTestServer.Reply, writer: HTTPResponseWriter) {
        switch reply {
        case .status(let status, let headers, let body):
            writer.respond(
                HTTPResponse(status: status, headers: HTTPHeaders(headers.map { ($0.key, $0.value) }), body: body))
        case .redirect(let location, let status):
            writer.respond(HTTPResponse(status: status, headers: ["Location": location], body: Array("moved".utf8)))
        case .delayed(let delay, let reply):
            // Never sleep on the server thread: answer later from a global queue.
            let nanoseconds =
                Int(delay.components.seconds) * 1_000_000_000 + Int(delay.components.attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
                answer(reply, writer: writer)
            }
        case .close:
            // As the Mandrill test server: an interim response and close, so that the client
            // reads no final response.
            writer.respond(HTTPResponse(status: 102, headers: ["Connection": "close"]))
        }
    }
}
