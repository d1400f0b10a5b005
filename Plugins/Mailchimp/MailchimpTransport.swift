import Foundation
import HeraldCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends Marketing API calls with URLSession, bridged to async/await: one ephemeral session per
/// action (no cookies, no cache, no credentials stored), connections reused between jobs, never
/// more than the account's connection limit open at once.
struct MailchimpTransport: Sendable {
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
    /// `Basic base64("herald:KEY")`; any user name works with a key (reference §1).
    private let authorization: String

    init(apiKey: String, timeout: Duration) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Self.wholeSeconds(timeout)
        configuration.timeoutIntervalForResource = Self.wholeSeconds(timeout)
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        // The action's concurrency (5 unless configured, at most 10) bounds the jobs in flight;
        // this is the backstop, so that the action alone can never go over Mailchimp's limit.
        configuration.httpMaximumConnectionsPerHost = MailchimpSettings.accountConnectionLimit
        owner = Owner(URLSession(configuration: configuration))
        authorization = "Basic " + Data("herald:\(apiKey)".utf8).base64EncodedString()
    }

    /// The secret forms this transport puts on the wire, for the redactor.
    var secrets: [String] { [String(authorization.dropFirst("Basic ".count))] }

    /// Sends `method url` with `body` as JSON; the whole exchange is bounded by `timeout`, and
    /// cancelling the calling task cancels the request.
    ///
    /// - Throws: `URLError` when no HTTP answer arrived (`.timedOut` when `timeout` passed).
    func send(_ method: String, _ url: URL, body: JSON?, timeout: Duration) async throws -> MailchimpResponse {
        var request = URLRequest(
            url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: Self.wholeSeconds(timeout))
        request.httpMethod = method
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("herald", forHTTPHeaderField: "User-Agent")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.serialized())
        }
        let call = MailchimpCall()
        let session = owner.session
        // Not `session.data(for:)`: on Linux, cancelling it can deadlock (see MandrillTransport).
        // Every cancel runs on a dispatch thread that holds no lock, and the continuation is
        // resumed exactly once, by the completion handler.
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<MailchimpResponse, any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    call.finish()
                    if let error {
                        continuation.resume(throwing: call.timedOut ? URLError(.timedOut) : error)
                        return
                    }
                    let http = response as? HTTPURLResponse
                    continuation.resume(
                        returning: MailchimpResponse(
                            status: http?.statusCode ?? 0, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"),
                            requestID: http?.value(forHTTPHeaderField: "X-Request-Id"), body: Array(data ?? Data())))
                }
                call.start(task, timeout: timeout)
            }
        } onCancel: {
            call.cancel(timedOut: false)
        }
    }

    /// swift-corelibs-foundation truncates timeouts to whole seconds, so URLSession gets the
    /// timeout rounded up and `MailchimpCall` enforces the exact one over the whole exchange.
    static func wholeSeconds(_ timeout: Duration) -> TimeInterval {
        max(1, timeout.seconds.rounded(.up))
    }

    /// What a failure without an HTTP answer means for the job: before any byte left (no route,
    /// no DNS answer, refused, TLS) a plain retry; after (a lost connection, a timeout, a
    /// cancellation) an ambiguous one, since Mailchimp may have applied the call.
    static func classify(_ error: any Error) -> Outcome {
        if error is CancellationError {
            return .retry(after: nil, reason: "cancelled while sending (may have been applied)", ambiguous: true)
        }
        guard let error = error as? URLError else {
            return .retry(
                after: nil, reason: "request failed: \(type(of: error)) (may have been applied)", ambiguous: true)
        }
        switch error.code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
            .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
            .clientCertificateRequired, .cannotLoadFromNetwork, .internationalRoamingOff, .dataNotAllowed:
            return .retry(
                after: nil, reason: "cannot reach Mailchimp (\(describe(error.code))); not sent", ambiguous: false)
        case .badURL, .unsupportedURL:
            return .failed(reason: "the Mailchimp URL cannot be used (\(describe(error.code)))")
        default:
            return .retry(
                after: nil, reason: "no answer from Mailchimp (\(describe(error.code))); may have been applied",
                ambiguous: true)
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
