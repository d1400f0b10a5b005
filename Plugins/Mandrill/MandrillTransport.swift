import FoundationEssentials
import HeraldCore
import HeraldHTTPClient

/// Posts JSON to Mandrill through the action's `HTTPClient`.
struct MandrillTransport: Sendable {
    /// How failure reasons name Mandrill.
    static let peer = HTTPPeer(name: "Mandrill", url: "the Mandrill URL", effect: "sent")

    /// What `herald doctor` reads of an answer: `templates/info` carries a template's whole code.
    static let diagnosisLimit = HTTPAnswerLimit(bytes: 8 << 20, excess: .fails)

    private let client: HTTPClient

    init(timeout: Duration) {
        client = HTTPClient(HTTPClient.Configuration(timeout: timeout))
    }

    /// POSTs `body` as `application/json`; the whole exchange is bounded by `timeout`, the answer
    /// by `answerLimit` (`HTTPAnswerLimit.apiAnswer` unless given), and cancelling the calling
    /// task cancels the request.
    ///
    /// - Throws: `HTTPClientError` when no answer can be given (`.timedOut` when `timeout` passed).
    func post(_ url: URL, body: [UInt8], timeout: Duration, answerLimit: HTTPAnswerLimit? = nil)
        async throws(HTTPClientError) -> MandrillResponse
    {
        let request = HTTPClientRequest(
            "POST", url, headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body,
            answerLimit: answerLimit)
        let response = try await client.send(request, timeout: timeout)
        return MandrillResponse(
            status: response.status, retryAfter: response.retryAfter, location: response.location, body: response.body)
    }

    /// What a failure without an HTTP answer means for the job (`HTTPClientFailure`).
    static func classify(_ error: HTTPClientError) -> Outcome {
        HTTPClientFailure.classify(error, peer: peer)
    }

    /// A few words for a failure without an answer, for `herald doctor`.
    static func describe(_ error: HTTPClientError) -> String {
        HTTPClientFailure.describe(error)
    }
}
