import Foundation
import HeraldCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends webhook requests with URLSession, bridged to async/await: one ephemeral session per
/// action (no cookies, no cache, no credentials stored), connections reused between jobs, and
/// redirects refused (Standard Webhooks: a sender must not follow them).
struct WebhookTransport: Sendable {
    /// Invalidates its session once the last copy of the action is gone (after a reload), so
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

    /// At most this much of an answer's body is kept, for the reason of a failure.
    static let maxResponseBytes = 64 * 1024

    private let owner: Owner

    init(timeout: Duration) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Self.wholeSeconds(timeout)
        configuration.timeoutIntervalForResource = Self.wholeSeconds(timeout)
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        // The scheduler bounds the attempts in flight (delivery.concurrency, the action's
        // concurrency); URLSession's default of 6 connections per host must not cap them below.
        configuration.httpMaximumConnectionsPerHost = 1024
        owner = Owner(URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil))
    }

    /// Sends one request; the whole exchange is bounded by `timeout`, and cancelling the calling
    /// task cancels the request. A redirect comes back as the 3xx answer itself.
    ///
    /// - Throws: `URLError` when no HTTP answer arrived (`.timedOut` when `timeout` passed).
    func send(
        _ method: String, _ url: URL, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration
    ) async throws -> WebhookResponse {
        var request = URLRequest(
            url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: Self.wholeSeconds(timeout))
        request.httpMethod = method
        request.setValue("herald", forHTTPHeaderField: "User-Agent")
        for header in headers { request.setValue(header.value, forHTTPHeaderField: header.name) }
        request.httpBody = Data(body)
        let call = WebhookCall()
        let session = owner.session
        // Not `session.data(for:)`: on Linux, cancelling it can deadlock (see KratosTransport).
        // Every cancel runs on a dispatch thread that holds no lock, and the continuation is
        // resumed exactly once, by the completion handler.
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<WebhookResponse, any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    call.finish()
                    if let error {
                        continuation.resume(throwing: call.timedOut ? URLError(.timedOut) : error)
                        return
                    }
                    let http = response as? HTTPURLResponse
                    continuation.resume(
                        returning: WebhookResponse(
                            status: http?.statusCode ?? 0, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"),
                            location: http?.value(forHTTPHeaderField: "Location"),
                            body: Array((data ?? Data()).prefix(Self.maxResponseBytes))))
                }
                call.start(task, timeout: timeout)
            }
        } onCancel: {
            call.cancel(timedOut: false)
        }
    }

    /// swift-corelibs-foundation truncates timeouts to whole seconds, so URLSession gets the
    /// timeout rounded up and `WebhookCall` enforces the exact one over the whole exchange.
    static func wholeSeconds(_ timeout: Duration) -> TimeInterval {
        max(1, timeout.seconds.rounded(.up))
    }

    /// What a failure without an HTTP answer means for the job: before any byte left (no route,
    /// no DNS answer, refused, TLS) a plain retry; after (a lost connection, a timeout, a
    /// cancellation) an ambiguous one, since the receiver may have processed the event.
    static func classify(_ error: any Error) -> Outcome {
        if error is CancellationError {
            return .retry(after: nil, reason: "cancelled while sending (may have been processed)", ambiguous: true)
        }
        guard let error = error as? URLError else {
            return .retry(
                after: nil, reason: "request failed: \(type(of: error)) (may have been processed)", ambiguous: true)
        }
        switch error.code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
            .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
            .clientCertificateRequired, .cannotLoadFromNetwork, .internationalRoamingOff, .dataNotAllowed:
            return .retry(
                after: nil, reason: "cannot reach the endpoint (\(describe(error.code))); not sent", ambiguous: false)
        case .badURL, .unsupportedURL:
            return .failed(reason: "the webhook URL cannot be used (\(describe(error.code)))")
        default:
            return .retry(
                after: nil, reason: "no answer from the endpoint (\(describe(error.code))); may have been processed",
                ambiguous: true)
        }
    }

    private static func describe(_ code: URLError.Code) -> String {
        switch code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .notConnectedToInternet: return "no network"
        case .timedOut: return "timed out"
        case .networkConnectionLost: return "connection lost"
        case .cancelled: return "cancelled"
        case .badServerResponse: return "bad server response"
        case .secureConnectionFailed: return "TLS handshake failed"
        case .httpTooManyRedirects: return "too many redirects"
        default: return "URLError \(code.rawValue)"
        }
    }
}

/// Answers every redirect with "do not follow": URLSession then completes the task with the 3xx
/// response itself, which the classifier reports (URLSession follows redirects by default, and
/// would re-send the signed body to wherever a receiver, or anyone in between, points it).
private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
