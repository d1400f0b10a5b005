import HeraldCore
import HeraldTestSupport
import Testing

@testable import WebhookPlugin

/// The signer against the worked vectors of the Standard Webhooks reference (its §7, copied
/// into the constants below), computed there with the official Python library.
@Suite struct WebhookSignatureTests {
    static let vectorBBody = Array(
        #"{"type":"identity.created","timestamp":"2026-01-01T00:00:00Z","data":{"id":"9f425a8d-7f27-4f0b-9a39-0d8a5c0b2e11"}}"#
            .utf8)
    static let vectorBSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    /// 32 bytes of 0x11 (§7.3). The reference prints it as `whsec_` + 42 characters, one `ER`
    /// short, which no base64 decoder accepts; its signature is over these 32 bytes.
    static let oldSecret = "whsec_ERERERERERERERERERERERERERERERERERERERERERE="

    @Test func vectorAFromTheUpstreamTests() throws {
        let secret = try WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let header = WebhookSignature.header(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8),
            secrets: [secret])
        #expect(header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(header != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=")
    }

    @Test func vectorBWithA32ByteSecret() throws {
        let secret = try WebhookSecret(Self.vectorBSecret)
        #expect(secret.key == Array(0..<32))
        let header = WebhookSignature.header(
            id: "msg_2mHeraldTestVector0001", timestamp: 1_767_225_600, body: Self.vectorBBody, secrets: [secret])
        #expect(header == "v1,y6hkE/il7YF5WOgKsTLC8UVj7AiCwGltUueemomKOU4=")
    }

    @Test func rotationSignsWithEverySecretInOrder() throws {
        let header = WebhookSignature.header(
            id: "msg_2mHeraldTestVector0001", timestamp: 1_767_225_600, body: Self.vectorBBody,
            secrets: [try WebhookSecret(Self.oldSecret), try WebhookSecret(Self.vectorBSecret)])
        #expect(
            header
                == "v1,a/cGvR1aebQ2lO+egcZAYAQqrB5S36nMOEytjoC1m+M= v1,y6hkE/il7YF5WOgKsTLC8UVj7AiCwGltUueemomKOU4=")
    }

    @Test func aChangedBodyOrIdNoLongerMatches() throws {
        let secret = try WebhookSecret(Self.vectorBSecret)
        let spaced = Array(
            #"{"type": "identity.created", "timestamp": "2026-01-01T00:00:00Z", "data": {"id": "9f425a8d-7f27-4f0b-9a39-0d8a5c0b2e11"}}"#
                .utf8)
        let expected = "v1,y6hkE/il7YF5WOgKsTLC8UVj7AiCwGltUueemomKOU4="
        #expect(
            WebhookSignature.header(
                id: "msg_2mHeraldTestVector0001", timestamp: 1_767_225_600, body: spaced, secrets: [secret])
                != expected)
        #expect(
            WebhookSignature.header(
                id: "msg_other", timestamp: 1_767_225_600, body: Self.vectorBBody, secrets: [secret])
                != expected)
    }

    @Test func secretsAreDecodedAsTheLibrariesDo() throws {
        // Unpadded base64, as the Python library accepts by appending "==".
        #expect(try WebhookSecret("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").key == Array(0..<32))
        #expect(throws: WebhookSecret.Problem.missingPrefix) { try WebhookSecret("AAECAwQFBgcICQoL") }
        #expect(throws: WebhookSecret.Problem.notBase64) { try WebhookSecret("whsec_not base64!") }
        #expect(throws: WebhookSecret.Problem.empty) { try WebhookSecret("whsec_") }
    }

    @Test func theReceiverInTestSupportAgreesWithTheVectors() throws {
        let receiver = try StandardWebhooksReceiver(secrets: [Self.oldSecret])
        let request = MandrillTestRequest(
            method: "POST", path: "/",
            headers: [
                ("webhook-id", "msg_2mHeraldTestVector0001"), ("webhook-timestamp", "1767225600"),
                (
                    "webhook-signature",
                    "v1,a/cGvR1aebQ2lO+egcZAYAQqrB5S36nMOEytjoC1m+M= v1,y6hkE/il7YF5WOgKsTLC8UVj7AiCwGltUueemomKOU4="
                ),
            ], body: Self.vectorBBody)
        let at = { (seconds: Int64) in WallClock(millisecondsSinceEpoch: seconds * 1000) }
        #expect(receiver.verify(request, now: at(1_767_225_600 + 300)) == .verified)
        #expect(receiver.verify(request, now: at(1_767_225_600 + 301)) == .timestampOutOfTolerance)
        #expect(receiver.verify(request, now: at(1_767_225_600 - 301)) == .timestampOutOfTolerance)
        var v1a = request
        v1a.headers[2].value = "v1a,a/cGvR1aebQ2lO+egcZAYAQqrB5S36nMOEytjoC1m+M="
        #expect(receiver.verify(v1a, now: at(1_767_225_600)) == .noMatchingSignature)
    }

    @Test(.enabled(if: StandardWebhooksPython.isAvailable, Comment(rawValue: StandardWebhooksPython.unavailableReason)))
    func theOfficialPythonLibraryVerifiesFreshSignatures() throws {
        let secrets = [Self.oldSecret, Self.vectorBSecret]
        let timestamp = WallClock.now.millisecondsSinceEpoch / 1000
        let header = WebhookSignature.header(
            id: "0190a1b2-c3d4-0000-0000-000000000007", timestamp: timestamp, body: Self.vectorBBody,
            secrets: try secrets.map { try WebhookSecret($0) })
        let headers = [
            (name: "webhook-id", value: "0190a1b2-c3d4-0000-0000-000000000007"),
            (name: "webhook-timestamp", value: String(timestamp)), (name: "webhook-signature", value: header),
        ]
        for secret in secrets {
            #expect(try StandardWebhooksPython.verify(secret: secret, headers: headers, body: Self.vectorBBody) == nil)
        }
        let wrong = try StandardWebhooksPython.verify(
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers: headers, body: Self.vectorBBody)
        #expect(wrong == "WebhookVerificationError: No matching signature found")
    }
}
