import Foundation
import HeraldCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Posts JSON to Mandrill with URLSession, bridged to async/await: one ephemeral session per
/// action (no cookies, no cache, no credentials stored), connections reused between jobs.
struct MandrillTransport: Sendable {
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

    private let owner: Owner

    init(timeout: Duration) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Self.wholeSeconds(timeout)
        configuration.timeoutIntervalForResource = Self.wholeSeconds(timeout)
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        // The scheduler bounds the attempts in flight (delivery.concurrency, the action's
        // concurrency); URLSession's default of 6 connections per host would cap them below it,
        // which against a provider answering in 100 ms means 60 messages/s whatever the setting.
        configuration.httpMaximumConnectionsPerHost = 1024
        owner = Owner(URLSession(configuration: configuration))
    }

    /// POSTs `body` as `application/json`; the whole exchange is bounded by `timeout`, and
    /// cancelling the calling task cancels the request.
    ///
    /// - Throws: `URLError` when no HTTP answer arrived (`.timedOut` when `timeout` passed).
    func post(_ url: URL, body: [UInt8], timeout: Duration) async throws -> MandrillResponse {
        let request = Self.request(url, body: body, timeout: timeout)
        let call = MandrillCall()
        let session = owner.session
        // Not `session.data(for:)`: on Linux, cancelling it can deadlock (its cancellation handler
        // calls `URLSessionTask.cancel()`, which waits for the session's queue, while that queue
        // waits for the task's status lock to resume the continuation). Here every cancel runs on
        // a dispatch thread that holds no lock, and the continuation is resumed exactly once, by
        // the completion handler.
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<MandrillResponse, any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    call.finish()
                    if let error {
                        continuation.resume(throwing: call.timedOut ? URLError(.timedOut) : error)
                        return
                    }
                    let http = response as? HTTPURLResponse
                    continuation.resume(
                        returning: MandrillResponse(
                            status: http?.statusCode ?? 0, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"),
                            body: Array(data ?? Data())))
                }
                call.start(task, timeout: timeout)
            }
        } onCancel: {
            call.cancel(timedOut: false)
        }
    }

    private static func request(_ url: URL, body: [UInt8], timeout: Duration) -> URLRequest {
        var request = URLRequest(
            url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: wholeSeconds(timeout))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("herald", forHTTPHeaderField: "User-Agent")
        request.httpBody = Data(body)
        return request
    }

    /// swift-corelibs-foundation truncates timeouts to whole seconds (0.3 s becomes 0 and fires
    /// at once, sometimes before the request is even written), and counts them from the last
    /// byte seen; so URLSession gets the timeout rounded up and `MandrillCall` enforces the exact
    /// one over the whole exchange.
    static func wholeSeconds(_ timeout: Duration) -> TimeInterval {
        max(1, timeout.seconds.rounded(.up))
    }

    /// What a failure without an HTTP answer means for the job.
    ///
    /// Only failures that happen before any byte of the request can have left are plain retries:
    /// no route, no DNS answer, connection refused, TLS handshake failures. A lost connection, a
    /// timeout or a cancellation may come after Mandrill got the request, so they are ambiguous.
    static func classify(_ error: any Error) -> Outcome {
        if error is CancellationError {
            return .retry(after: nil, reason: "cancelled while sending (may have been sent)", ambiguous: true)
        }
        guard let error = error as? URLError else {
            return .retry(
                after: nil, reason: "request failed: \(type(of: error)) (may have been sent)", ambiguous: true)
        }
        let code = error.code
        switch code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
            .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
            .clientCertificateRequired, .cannotLoadFromNetwork, .internationalRoamingOff, .dataNotAllowed:
            return .retry(after: nil, reason: "cannot reach Mandrill (\(describe(code))); not sent", ambiguous: false)
        case .badURL, .unsupportedURL:
            return .failed(reason: "the Mandrill URL cannot be used (\(describe(code)))")
        default:
            return .retry(
                after: nil, reason: "no answer from Mandrill (\(describe(code))); may have been sent", ambiguous: true)
        }
    }

    /// A few words for a failure without an answer, for `herald doctor`.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? URLError else { return error is CancellationError ? "cancelled" : "request failed" }
        return describe(error.code)
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
        default: return "URLError \(code.rawValue)"
        }
    }
}
