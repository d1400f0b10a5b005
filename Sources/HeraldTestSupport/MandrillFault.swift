/// A scripted misbehaviour of the Mandrill test server, for the next requests.
///
/// ```swift
/// server.inject(.respond(MandrillFault.generalError), count: 2)
/// server.inject(.respond(.init(status: 429, headers: ["Retry-After": "7"], body: [])))
/// server.inject(.delay(.seconds(3)))       // answer normally, but late
/// server.inject(.closeConnection)          // hang up without answering
/// ```
package enum MandrillFault: Sendable, Equatable {
    /// Answer with this response instead of handling the request.
    case respond(MandrillTestResponse)
    /// Handle the request normally but answer after `Duration`.
    case delay(Duration)
    /// Close the connection without answering (after reading the request).
    case closeConnection

    /// `500 GeneralError`, as Mandrill answers when something breaks on its side.
    package static let generalError = MandrillTestResponse.error(
        500, code: -1, name: "GeneralError",
        message: "An unknown error occurred processing your request.  Please try again later.")

    /// `503 ServiceUnavailable`.
    package static let serviceUnavailable = MandrillTestResponse.error(
        503, code: -2, name: "ServiceUnavailable", message: "Service temporarily unavailable")

    /// `429` with a `Retry-After` value (seconds or an HTTP date) and Mandrill's error object.
    package static func rateLimited(retryAfter: String?) -> MandrillTestResponse {
        var response = MandrillTestResponse.error(
            429, code: 429, name: "RequestLimitExceeded", message: "Too many requests")
        if let retryAfter { response.headers["Retry-After"] = retryAfter }
        return response
    }

    /// A gateway's HTML page, as an edge proxy answers.
    package static func htmlPage(_ status: Int, title: String) -> MandrillTestResponse {
        let page =
            "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n"
            + "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        return MandrillTestResponse(status: status, headers: ["Content-Type": "text/html"], body: Array(page.utf8))
    }

    /// A status with no body at all.
    package static func empty(_ status: Int) -> MandrillTestResponse {
        MandrillTestResponse(status: status)
    }
}
