import Foundation
import HeraldCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends HTTP requests with URLSession, bridged to async/await: one ephemeral session per client
/// (no cookies, no cache, no credentials stored), connections reused between requests. An HTTP
/// action plugin keeps one per action; the session is invalidated once the last copy is gone.
///
/// ```swift
/// let client = HTTPClient(HTTPClient.Configuration(timeout: settings.timeout))
/// let request = HTTPClientRequest("POST", url, headers: [("Content-Type", "application/json")], body: bytes)
/// let response = try await client.send(request, timeout: timeout)
/// ```
public struct HTTPClient: Sendable {
    /// What the plugins' sessions differ in.
    public struct Configuration: Sendable {
        /// The longest any request of this client may take; `send` can ask for less.
        public var timeout: Duration
        /// How many connections to one host may be open at once.
        public var maximumConnectionsPerHost: Int
        /// Whether a redirect is followed (URLSession's default) or comes back as the 3xx answer.
        public var followsRedirects: Bool
        /// At most this much of an answer's body is kept; nil keeps all of it.
        public var maximumResponseBytes: Int?

        /// - Parameters:
        ///   - timeout: the longest any request may take.
        ///   - maximumConnectionsPerHost: the connection limit per host. The default is high
        ///     because the scheduler bounds the attempts in flight (delivery.concurrency, the
        ///     action's concurrency); URLSession's default of 6 connections per host would cap them
        ///     below it, which against a provider answering in 100 ms means 60 messages/s whatever
        ///     the setting.
        ///   - followsRedirects: false to get a redirect back as the answer (Standard Webhooks: a
        ///     sender must not follow them).
        ///   - maximumResponseBytes: how much of a body to keep, nil for all.
        public init(
            timeout: Duration, maximumConnectionsPerHost: Int = 1024, followsRedirects: Bool = true,
            maximumResponseBytes: Int? = nil
        ) {
            self.timeout = timeout
            self.maximumConnectionsPerHost = maximumConnectionsPerHost
            self.followsRedirects = followsRedirects
            self.maximumResponseBytes = maximumResponseBytes
        }
    }

    /// Invalidates its session once the last copy of the client is gone (after a reload), so
    /// that URLSession, which keeps itself alive until invalidated, does not leak.
    private final class Owner: Sendable {
        let session: URLSession

        init(_ session: URLSession) {
            self.session = session
        }

        deinit {
            session.finishTasksAndInvalidate()
        }
    }

    private let owner: Owner
    private let maximumResponseBytes: Int?

    /// Opens the client's session.
    public init(_ configuration: Configuration) {
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = Self.wholeSeconds(configuration.timeout)
        sessionConfiguration.timeoutIntervalForResource = Self.wholeSeconds(configuration.timeout)
        sessionConfiguration.httpCookieStorage = nil
        sessionConfiguration.urlCache = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.httpMaximumConnectionsPerHost = configuration.maximumConnectionsPerHost
        let session =
            configuration.followsRedirects
            ? URLSession(configuration: sessionConfiguration)
            : URLSession(configuration: sessionConfiguration, delegate: HTTPRedirectRefusal(), delegateQueue: nil)
        owner = Owner(session)
        maximumResponseBytes = configuration.maximumResponseBytes
    }

    /// Sends `request`; the whole exchange is bounded by `timeout`, and cancelling the calling task
    /// cancels the request.
    ///
    /// - Throws: `URLError` when no HTTP answer arrived (`.timedOut` when `timeout` passed);
    ///   `HTTPClientFailure` reads it.
    public func send(_ request: HTTPClientRequest, timeout: Duration) async throws -> HTTPClientResponse {
        let urlRequest = Self.urlRequest(request, timeout: timeout)
        let call = HTTPClientCall()
        let session = owner.session
        let maximumResponseBytes = maximumResponseBytes
        // Not `session.data(for:)`: on Linux, cancelling it can deadlock (its cancellation handler
        // calls `URLSessionTask.cancel()`, which waits for the session's queue, while that queue
        // waits for the task's status lock to resume the continuation). Here every cancel runs on
        // a dispatch thread that holds no lock, and the continuation is resumed exactly once, by
        // the completion handler.
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<HTTPClientResponse, any Error>) in
                let task = session.dataTask(with: urlRequest) { data, response, error in
                    call.finish()
                    if let error {
                        continuation.resume(throwing: call.timedOut ? URLError(.timedOut) : error)
                        return
                    }
                    let http = response as? HTTPURLResponse
                    let body = data ?? Data()
                    continuation.resume(
                        returning: HTTPClientResponse(
                            status: http?.statusCode ?? 0, headers: Self.headers(of: http),
                            body: Array(maximumResponseBytes.map { body.prefix($0) } ?? body)))
                }
                call.start(task, timeout: timeout)
            }
        } onCancel: {
            call.cancel(timedOut: false)
        }
    }

    private static func urlRequest(_ request: HTTPClientRequest, timeout: Duration) -> URLRequest {
        var urlRequest = URLRequest(
            url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: wholeSeconds(timeout))
        urlRequest.httpMethod = request.method
        urlRequest.setValue("herald", forHTTPHeaderField: "User-Agent")
        for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
        if let body = request.body { urlRequest.httpBody = Data(body) }
        return urlRequest
    }

    private static func headers(of response: HTTPURLResponse?) -> [(name: String, value: String)] {
        guard let response else { return [] }
        return response.allHeaderFields.compactMap { field in
            guard let name = field.key as? String, let value = field.value as? String else { return nil }
            return (name: name, value: value)
        }
    }

    /// swift-corelibs-foundation truncates timeouts to whole seconds (0.3 s becomes 0 and fires
    /// at once, sometimes before the request is even written), and counts them from the last
    /// byte seen; so URLSession gets the timeout rounded up and `HTTPClientCall` enforces the exact
    /// one over the whole exchange.
    public static func wholeSeconds(_ timeout: Duration) -> TimeInterval {
        max(1, timeout.seconds.rounded(.up))
    }
}
