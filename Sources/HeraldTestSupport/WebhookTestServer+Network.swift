import HeraldHTTP

extension WebhookTestServer: TestHTTPServing {
    package static let basePath = ""

    package func makeResponder() -> any HTTPResponder {
        WebhookTestResponder(server: self)
    }

    /// `baseURL` + `path`, the value for an action's `url`.
    package func url(_ path: String = "/hooks/herald") -> String {
        (baseURL ?? "http://127.0.0.1:1") + path
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
            TestHTTPServer.later(delay) { answer(reply, writer: writer) }
        case .close:
            TestHTTPServer.closeUnanswered(writer)
        }
    }
}
