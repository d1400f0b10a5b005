import HeraldCore
import HeraldTestSupport
import Testing

@testable import KratosPlugin

/// Kratos' answers to a patch, each to its outcome, with Kratos' own message and reason kept.
@Suite struct KratosResponseClassifierTests {
    static let id = "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20"
    static let token = "ory_pat_secret0123456789"
    static let now = WallClock(millisecondsSinceEpoch: 1_700_000_000_000)

    static func classify(_ response: MandrillTestResponse) -> Outcome {
        KratosResponseClassifier.classify(
            KratosResponse(status: response.status, retryAfter: response.headers["Retry-After"], body: response.body),
            identity: id, now: now, redactor: RemoteTextRedactor(secrets: [token]))
    }

    static func error(_ status: Int, _ message: String, reason: String? = nil) -> MandrillTestResponse {
        KratosAdminAPISimulator.error(status, message: message, reason: reason)
    }

    @Test func theIdentityBackIsDelivered() {
        let outcome = Self.classify(.json(200, ["id": .string(Self.id), "traits": [:]]))
        #expect(outcome == .delivered(detail: "identity patched"))
    }

    /// The identity id is personal data, and details and reasons reach the log: neither names it
    /// (nor an id Kratos answered with instead).
    @Test func noOutcomeNamesAnIdentity() {
        let other = "0b4c6e8a-1d3f-4a5b-8c7d-9e0f1a2b3c4d"
        let outcomes = [
            Self.classify(.json(200, ["id": .string(Self.id), "traits": [:]])),
            Self.classify(.json(200, ["id": .string(other), "traits": [:]])),
            Self.classify(Self.error(404, "Unable to locate the resource")),
        ]
        for outcome in outcomes {
            let text = "\(outcome)".lowercased()
            #expect(!text.contains(Self.id) && !text.contains(other), "\(outcome)")
        }
        #expect(outcomes[1] == .failed(reason: "Kratos answered with another identity than the one patched"))
    }

    /// Every configured secret is masked in Kratos' answers, also when the action has a token.
    @Test func theActionMasksTheConfigurationsSecretsBesideItsToken() {
        let settings = KratosSettings(baseURL: "http://kratos:4434", isOryNetwork: false, token: Self.token, timeout: .seconds(1))
        let action = KratosAction(name: "kratos", settings: settings, configurationSecrets: ["gateway-key-5d1f8e"])
        #expect(action.redactor.clean("bad \(Self.token) gateway-key-5d1f8e") == "bad <redacted> <redacted>")
    }

    @Test func aSuccessWithoutTheIdentityMayHaveBeenApplied() {
        let outcome = Self.classify(MandrillTestResponse(status: 204))
        #expect(outcome.label == "retry_ambiguous")
    }

    @Test func aDeletedIdentityFailsWithoutRetry() {
        let outcome = Self.classify(Self.error(404, "Unable to locate the resource"))
        #expect(
            outcome
                == .failed(
                    reason:
                        "the identity was not found (deleted?); Kratos answered HTTP 404: Unable to locate the resource"
                ))
    }

    @Test func aNotFoundThatIsNotKratosNamesTheURL() {
        let outcome = Self.classify(MandrillTestResponse(status: 404, body: Array("404 page not found\n".utf8)))
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.contains("not Kratos' identity API; is admin_url the admin listener"))
    }

    @Test(arguments: [400, 409, 422])
    func refusalsFailWithKratosOwnMessage(status: Int) {
        let outcome = Self.classify(
            Self.error(
                status, "patch includes denied path: /credentials",
                reason: "An error occured when applying the JSON patch"))
        #expect(
            outcome
                == .failed(
                    reason:
                        "Kratos answered HTTP \(status): patch includes denied path: /credentials (An error occured "
                        + "when applying the JSON patch)"))
    }

    @Test func aConcurrentUpdateIsRetried() {
        let outcome = Self.classify(Self.error(400, KratosResponseClassifier.concurrentUpdate))
        #expect(outcome.label == "retry")
    }

    @Test(arguments: [401, 403])
    func aRefusedTokenFailsWithoutQuotingIt(status: Int) {
        let outcome = Self.classify(Self.error(status, "token \(Self.token) is not valid"))
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.hasSuffix("; the token was refused"))
        #expect(!reason.contains(Self.token))
    }

    @Test func rateLimitsAndUnavailabilityAreRetriedAfterTheirDelay() {
        #expect(
            Self.classify(KratosFault.rateLimited(retryAfter: "7"))
                == .retry(after: .seconds(7), reason: "Kratos answered HTTP 429: Too Many Requests", ambiguous: false))
        var unavailable = KratosFault.serviceUnavailable
        unavailable.headers["Retry-After"] = "soon"
        #expect(
            Self.classify(unavailable)
                == .retry(
                    after: nil,
                    reason: "Kratos answered HTTP 503: The service is temporarily unavailable; its Retry-After is not "
                        + "a usable delay and was ignored", ambiguous: false))
    }

    @Test(arguments: [500, 502, 504])
    func serverErrorsMayHaveBeenApplied(status: Int) {
        let outcome = Self.classify(MandrillFault.htmlPage(status, title: "Bad Gateway"))
        #expect(outcome.label == "retry_ambiguous")
    }

    @Test func aRedirectFromThePublicPortFails() {
        let outcome = Self.classify(
            MandrillTestResponse(status: 307, headers: ["Location": "http://kratos:4434/admin"]))
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.contains("a redirect"))
    }
}
