import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The real binary sends through the proxy the environment names (`http_proxy`), as libcurl does
/// for any program, and straight to the peer when none is named.
@Suite struct ProxyEnvironmentTests {
    private func deliver(to url: String, environment: [String: String]) async throws -> HeraldProcess {
        let (herald, address) = try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            delivery: { retry: { schedule: [1h], jitter: 0 } }
            actions:
              hook:
                plugin: webhook
                url: "\(url)"
                secrets: ["whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="]
            routes:
              - name: forward
                events: [registration.after]
                do:
                  - action: hook
            """, environment: environment)
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        try await herald.waitForLog("job delivered")
        try await herald.stop()
        return herald
    }

    @Test func theProxyTheEnvironmentNamesCarriesTheCall() async throws {
        let proxy = try FaultyHTTPPeer(fallback: .answer(status: 204))
        defer { proxy.stop() }
        // Nothing listens at the target: only the proxy can answer.
        _ = try await deliver(to: "http://192.0.2.10:8080/hooks", environment: ["http_proxy": proxy.url()])
        #expect(proxy.requests.map(\.target) == ["http://192.0.2.10:8080/hooks"])
    }

    @Test func withoutAProxyTheCallGoesStraightToThePeer() async throws {
        let peer = try FaultyHTTPPeer(fallback: .answer(status: 204))
        defer { peer.stop() }
        _ = try await deliver(to: peer.url("/hooks"), environment: [:])
        #expect(peer.requests.map(\.target) == ["/hooks"])
    }
}
