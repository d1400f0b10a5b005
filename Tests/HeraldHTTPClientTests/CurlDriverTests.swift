import Foundation
import HeraldHTTPClient
import HeraldTestSupport
import Testing

/// The driver's own bounds, on a driver of the test's (the process' one is shared by every test).
@Suite struct CurlDriverTests {
    @Test(.timeLimit(.minutes(1)))
    func callsBeyondTheCapacityAreRefusedUnsent() async throws {
        let peer = try FaultyHTTPPeer(fallback: .silent)
        defer { peer.stop() }
        let client = HTTPClient(HTTPClient.Configuration(timeout: .seconds(60)), driver: CurlDriver(capacity: 2))
        let request = HTTPClientRequest("GET", URL(string: peer.url("/"))!)
        let waiting = (0..<2).map { _ in Task { try await client.send(request, timeout: .seconds(60)) } }
        while peer.silentNow < 2 { try await Task.sleep(for: .milliseconds(10)) }
        do {
            _ = try await client.send(request, timeout: .seconds(60))
            Issue.record("expected the third call to be refused")
        } catch {
            #expect(error == HTTPClientError(.busy, mayHaveSent: false))
        }
        #expect(peer.connections == 2)
        for task in waiting { task.cancel() }
        for task in waiting {
            let result = await task.result
            guard case .failure(let failure) = result, let error = failure as? HTTPClientError else {
                Issue.record("\(result)")
                continue
            }
            #expect(error.kind == .cancelled)
        }
        // Finished calls leave the capacity: a new one runs.
        peer.script(.answer(status: 204))
        #expect(try await client.send(request, timeout: .seconds(10)).status == 204)
    }
}
