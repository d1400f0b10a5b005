import Foundation
import HeraldCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What a failure of `HTTPClient.send` without an HTTP answer means: an `Outcome` for the job, or
/// a few words for `herald doctor`. Each plugin still classifies the answers it does get.
public enum HTTPClientFailure {
    /// What a failure without an HTTP answer means for the job.
    ///
    /// Only failures that happen before any byte of the request can have left are plain retries:
    /// no route, no DNS answer, connection refused, TLS handshake failures. A lost connection, a
    /// timeout or a cancellation may come after the peer got the request, so they are ambiguous.
    ///
    /// - Parameters:
    ///   - error: what `send` threw, or a `CancellationError`.
    ///   - peer: how the reasons name the peer.
    public static func classify(_ error: any Error, peer: HTTPPeer) -> Outcome {
        if error is CancellationError {
            return .retry(after: nil, reason: "cancelled while sending (may have been \(peer.effect))", ambiguous: true)
        }
        guard let error = error as? URLError else {
            return .retry(
                after: nil, reason: "request failed: \(type(of: error)) (may have been \(peer.effect))",
                ambiguous: true)
        }
        let code = error.code
        switch code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
            .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
            .clientCertificateRequired, .cannotLoadFromNetwork, .internationalRoamingOff, .dataNotAllowed:
            return .retry(
                after: nil, reason: "cannot reach \(peer.name) (\(describe(code))); not sent", ambiguous: false)
        case .badURL, .unsupportedURL:
            return .failed(reason: "\(peer.url) cannot be used (\(describe(code)))")
        default:
            return .retry(
                after: nil, reason: "no answer from \(peer.name) (\(describe(code))); may have been \(peer.effect)",
                ambiguous: true)
        }
    }

    /// A few words for a failure without an answer, for `herald doctor`.
    public static func describe(_ error: any Error) -> String {
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
        case .httpTooManyRedirects: return "too many redirects"
        default: return "URLError \(code.rawValue)"
        }
    }
}
