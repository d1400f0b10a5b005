import HeraldHTTP

extension MandrillTestServer: TestHTTPServing {
    package static let basePath = "/api/1.0"

    package func makeResponder() -> any HTTPResponder {
        MandrillTestResponder(server: self)
    }
}

/// Carries requests from the HTTP server to `MandrillTestServer.handle` and answers back.
struct MandrillTestResponder: HTTPResponder {
    let server: MandrillTestServer

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        let recorded = MandrillTestRequest(
            method: request.head.method, path: String(request.head.path),
            headers: request.head.headers.map { (name: $0.name, value: $0.value) }, body: request.body)
        switch server.handle(recorded) {
        case .respond(let response, let delay):
            let answer = HTTPResponse(
                status: response.status, headers: HTTPHeaders(response.headers.map { ($0.key, $0.value) }),
                body: response.body)
            TestHTTPServer.respond(answer, after: delay, writer: writer)
        case .close:
            TestHTTPServer.closeUnanswered(writer)
        }
    }
}
