import Foundation
import HeraldCore
import HeraldHTTPClient

/// Posts JSON to Mandrill through the action's `HTTPClient`.
struct MandrillTransport: Sendable {
    /// How failure reasons name Mandrill.
    static let peer = HTTPPeer(name: "Mandrill", url: "the Mandrill URL", effect: "sent")

    private let client: HTTPClient

    init(timeout: Duration) {
        client = HTTPClient(HTTPClient.Configuration(timeout: timeout))
    }

    /// POSTs `body` as `application/json`; the whole exchange is bounded by `timeout`, and
    /// cancelling the calling task cancels the request.
    ///
    /// - Throws: `URLError` when no HTTP answer arrived (`.timedOut` when `timeout` passed).
    func post(_ url: URL, body: [UInt8], timeout: Duration) async throws -> MandrillResponse {
        let request = HTTPClientRequest(
            "POST", url, headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body)
        let response = try await client.send(request, timeout: timeout)
        return MandrillResponse(status: response.status, retryAfter: response.retryAfter, body: response.body)
    }

    /// What a failure without an HTTP answer means for the job (`HTTPClientFailure`).
    static func classify(_ error: any Error) -> Outcome {
        HTTPClientFailure.classify(error, peer: peer)
    }

    /// A few words for a failure without an answer, for `herald doctor`.
    static func describe(_ error: any Error) -> String {
        HTTPClientFailure.describe(error)
    }
}
