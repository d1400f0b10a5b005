import HeraldHTTP

extension MailchimpTestServer: TestHTTPServing {
    package static let basePath = "/3.0"

    package func makeResponder() -> any HTTPResponder {
        MailchimpTestResponder(server: self)
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
            TestHTTPServer.respond(answer, after: delay, writer: writer, beforeAnswering: { server.finish() })
        case .close:
            server.finish()
            TestHTTPServer.closeUnanswered(writer)
        }
    }
}
