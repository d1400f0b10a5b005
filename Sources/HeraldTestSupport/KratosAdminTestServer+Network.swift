import HeraldHTTP

extension KratosAdminTestServer: TestHTTPServing {
    package static let basePath = ""

    package func makeResponder() -> any HTTPResponder {
        KratosAdminTestResponder(server: self)
    }
}

/// Carries requests from the HTTP server to `KratosAdminTestServer.handle` and answers back.
struct KratosAdminTestResponder: HTTPResponder {
    let server: KratosAdminTestServer

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
