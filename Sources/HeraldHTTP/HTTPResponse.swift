import HeraldCore

/// A response to send. The server adds `Content-Length`, `Date` and `Connection` itself.
package struct HTTPResponse: Sendable, Hashable {
    package var status: Int
    /// Extra header fields. `Content-Length`, `Transfer-Encoding` and `Connection` set here are
    /// replaced by the server's own, except that `Connection: close` makes it close afterwards.
    package var headers: HTTPHeaders
    package var body: [UInt8]

    package init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    package static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// An `application/json` response with an already encoded body.
    package static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// A JSON error body `{"error": "..."}` with `status`: every error Herald answers, from the
    /// parser's 400/413/414/431 to the ingress' own, has this one shape.
    package static func error(_ status: Int, _ message: String) -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: message.utf8.count + 16)
        writer.beginObject()
        writer.key("error")
        writer.writeString(message)
        writer.endObject()
        return .json(status, writer.bytes)
    }

    /// The standard reason phrase for `status` (an empty string for unknown codes).
    package static func reasonPhrase(_ status: Int) -> String {
        String(describing: staticReasonPhrase(status))
    }

    static func staticReasonPhrase(_ status: Int) -> StaticString {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 421: "Misdirected Request"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: ""
        }
    }
}
