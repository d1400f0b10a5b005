import HeraldHTTP

/// One page of the console: the layout around a body built by a page, and the headers every
/// answer carries (the CSP, no caching, no framing, no sniffing, no referrer).
package struct ConsolePage {
    package enum Section: String, CaseIterable {
        case overview = "Overview"
        case queue = "Queue"
        case dead = "Dead letters"
        case events = "Events"
        case playground = "Playground"
        case configuration = "Configuration"

        var path: String {
            switch self {
            case .overview: "/"
            case .queue: "/queue"
            case .dead: "/dead"
            case .events: "/events"
            case .playground: "/playground"
            case .configuration: "/config"
            }
        }
    }

    package var title: String
    package var section: Section?
    /// The session's form token (nil on the login page: no navigation, no logout).
    package var csrf: String?
    /// Trusted markup: every value in it was escaped by the page that built it.
    package var body: String
    package var status = 200

    package init(title: String, section: Section?, csrf: String?, body: String, status: Int = 200) {
        self.title = title
        self.section = section
        self.csrf = csrf
        self.body = body
        self.status = status
    }

    package var response: HTTPResponse {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · Herald</title>
            <link rel="stylesheet" href="/static/console.css">
            <script src="/static/console.js" defer></script>
            </head><body>
            <header><strong>Herald</strong>
            """
        if let csrf {
            html += "<nav aria-label=\"Sections\">"
            for item in Section.allCases {
                let current = item == section ? " aria-current=\"page\"" : ""
                html += "<a href=\"\(item.path)\"\(current)>\(item.rawValue)</a>"
            }
            html += "</nav>"
            html += "<form class=\"inline\" method=\"post\" action=\"/logout\">\(Self.csrfField(csrf))"
            html += "<button type=\"submit\">Log out</button></form>"
        }
        html += "</header><main><h1>\(HTML.escape(title))</h1>\n\(body)\n</main></body></html>\n"
        return HTTPResponse(
            status: status, headers: Self.headers(contentType: "text/html; charset=utf-8"), body: Array(html.utf8))
    }

    /// The hidden field every POST form carries.
    package static func csrfField(_ token: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(token))\">"
    }

    /// The headers of every console answer. The referrer policy stays `same-origin`: with
    /// `no-referrer` Chromium sends `Origin: null` on the console's own forms.
    package static func headers(contentType: String) -> HTTPHeaders {
        [
            "Content-Type": contentType, "Content-Security-Policy": ConsoleAssets.contentSecurityPolicy,
            "Cache-Control": "no-store", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Resource-Policy": "same-origin",
        ]
    }

    /// A page that only says what went wrong, with its status (400, 404, 409, 503…).
    package static func failure(_ error: ConsoleError, csrf: String?, section: Section? = nil) -> HTTPResponse {
        let title = HTTPResponse.reasonPhrase(error.status)
        return ConsolePage(
            title: title.isEmpty ? "Error" : title, section: section, csrf: csrf,
            body: "<p class=\"error\" role=\"alert\">\(HTML.escape(error.message))</p>", status: error.status
        ).response
    }
}
