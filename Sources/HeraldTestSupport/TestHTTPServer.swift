import Dispatch
import HeraldCore
import HeraldHTTP
import Synchronization

/// A test server whose network side is a `TestHTTPServer` (`MandrillTestServer`,
/// `MailchimpTestServer`, `KratosAdminTestServer`, `WebhookTestServer`): it names the path of its
/// base URL and its responder, and gets `start`, `baseURL` and `stop`.
package protocol TestHTTPServing: AnyObject, Sendable {
    /// The path `baseURL` ends with (`/api/1.0`, `/3.0`, or empty).
    static var basePath: String { get }
    /// The listener; one per server.
    var network: TestHTTPServer { get }
    /// Carries the HTTP server's requests to this server and its answers back.
    func makeResponder() -> any HTTPResponder
}

extension TestHTTPServing {
    /// Starts listening on `host` (loopback by default) and `port` (0: one the system picks), on
    /// Herald's own HTTP server.
    ///
    /// - Throws: `HTTPError` when the listener cannot be opened or the server was started before.
    package func start(host: String = "127.0.0.1", port: UInt16 = 0) throws(HTTPError) {
        try network.start(host: host, port: port, path: Self.basePath, responder: makeResponder())
    }

    /// `http://127.0.0.1:PORT` and `basePath`, the value for an action's `base_url` (Kratos:
    /// `admin_url`); nil before `start()`.
    package var baseURL: String? {
        network.baseURL
    }

    /// Stops the server, closing connections still open after `grace`, and waits until it has.
    package func stop(grace: Duration = .seconds(1)) {
        network.stop(grace: grace)
    }
}

/// The network side the test servers share: Herald's own HTTP server on a loopback port the
/// system picks, the base URL it gives, a stop with grace, and the ways a test server answers.
package final class TestHTTPServer: Sendable {
    private struct State {
        var server: HTTPServer?
        var baseURL: String?
    }

    private let state = Mutex(State())

    init() {}

    /// Starts listening on `host` and `port` (0: one the system picks) with `responder`.
    ///
    /// - Parameter path: appended to `http://HOST:PORT` to make `baseURL` (`/api/1.0`, or empty).
    /// - Throws: `HTTPError` when the listener cannot be opened or the server was started before.
    func start(host: String, port requested: UInt16, path: String, responder: some HTTPResponder) throws(HTTPError) {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listeners: [.tcp(host: host, port: requested)]),
            responder: responder)
        try server.start()
        var port: UInt16 = 0
        if case .tcp(_, let bound)? = server.boundAddresses.first { port = bound }
        state.withLock { state in
            state.server = server
            state.baseURL = "http://\(host):\(port)\(path)"
        }
    }

    /// `http://HOST:PORT` and the path given to `start`; nil before `start()`.
    var baseURL: String? {
        state.withLock { $0.baseURL }
    }

    /// Stops the server, closing connections still open after `grace`, and waits until it has.
    func stop(grace: Duration) {
        guard let server = state.withLock({ $0.server }) else { return }
        server.stop(deadline: .now + grace)
        server.waitUntilStopped()
    }

    /// Sends `response`, after `delay` when there is one; `beforeAnswering` runs just before it
    /// is sent (a server that counts requests in flight stops counting this one there, so that
    /// the client's next request never finds it still counted).
    static func respond(
        _ response: HTTPResponse, after delay: Duration?, writer: HTTPResponseWriter,
        beforeAnswering: @escaping @Sendable () -> Void = {}
    ) {
        guard let delay else {
            beforeAnswering()
            writer.respond(response)
            return
        }
        later(delay) {
            beforeAnswering()
            writer.respond(response)
        }
    }

    /// Runs `work` after `delay` on a global queue, so that the server thread never sleeps.
    static func later(_ delay: Duration, _ work: @escaping @Sendable () -> Void) {
        DispatchQueue.global().asyncAfter(
            deadline: .now() + .nanoseconds(Int(clamping: delay.saturatingNanoseconds)), execute: work)
    }

    /// Ends the exchange without a final answer. HTTPResponseWriter cannot drop a connection
    /// unanswered, so this sends only an interim (1xx) response and closes: the client reads no
    /// final response at all, which is what a connection closed by the peer looks like to it.
    static func closeUnanswered(_ writer: HTTPResponseWriter) {
        writer.respond(HTTPResponse(status: 102, headers: ["Connection": "close"]))
    }
}
