import Foundation
import HeraldCore
import HeraldHTTPClient
import HeraldTestSupport
import Testing

/// The client against a local peer that misbehaves on purpose: what is sent, redirects, answer
/// limits, compressed bodies, and failures before and after the request left.
@Suite struct HTTPClientTests {
    let client = HTTPClient(HTTPClient.Configuration(timeout: .seconds(10)))

    func send(
        _ url: String, method: String = "POST", via client: HTTPClient? = nil,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = Array(#"{"a":1}"#.utf8), limit: HTTPAnswerLimit? = nil, timeout: Duration = .seconds(10)
    ) async throws(HTTPClientError) -> HTTPClientResponse {
        let request = HTTPClientRequest(method, URL(string: url)!, headers: headers, body: body, answerLimit: limit)
        return try await (client ?? self.client).send(request, timeout: timeout)
    }

    func failure(_ operation: () async throws(HTTPClientError) -> HTTPClientResponse) async -> HTTPClientError? {
        do {
            let response = try await operation()
            Issue.record("expected a failure, got HTTP \(response.status)")
            return nil
        } catch {
            return error
        }
    }

    @Test func sendsTheRequestAsGivenAndReadsTheAnswer() async throws {
        let peer = try FaultyHTTPPeer(
            fallback: .answer(status: 201, headers: [("X-Request-Id", "r-1"), ("Retry-After", "3")], body: [1, 2, 3]))
        defer { peer.stop() }
        let response = try await send(
            peer.url("/api/x?q=1"), headers: [("Content-Type", "application/json"), ("Authorization", "Bearer t0k3n")])
        #expect(response.status == 201)
        #expect(response.body == [1, 2, 3])
        #expect(response.header("x-request-id") == "r-1")
        #expect(response.retryAfter == "3")
        #expect(response.httpVersion == "1.1")
        #expect(!response.truncated)
        let request = try #require(peer.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/api/x?q=1")
        #expect(request.body == Array(#"{"a":1}"#.utf8))
        #expect(request.header("Authorization") == "Bearer t0k3n")
        #expect(request.header("User-Agent") == "herald")
        #expect(request.header("Content-Type") == "application/json")
        // Nothing asks for a compressed answer, and no 100-continue round trip.
        #expect(request.header("Accept-Encoding") == nil)
        #expect(request.header("Expect") == nil)
    }

    /// Within a delivery attempt (`OutboundTrace.current`) every request carries the attempt's
    /// span as `traceparent`, and `tracestate`; a request that names its own keeps it; outside
    /// an attempt nothing is added.
    @Test func requestsWithinAnAttemptCarryItsTraceparent() async throws {
        let peer = try FaultyHTTPPeer()
        defer { peer.stop() }
        let trace = try #require(
            TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: ["rojo=1"])
        )
        try await OutboundTrace.$current.withValue(trace) {
            _ = try await send(peer.url("/traced"))
            _ = try await send(
                peer.url("/own"),
                headers: [
                    ("traceparent", "00-\(String(repeating: "1", count: 32))-\(String(repeating: "2", count: 16))-00")
                ])
        }
        _ = try await send(peer.url("/plain"))
        let requests = peer.requests
        #expect(requests.count == 3)
        #expect(requests[0].header("traceparent") == trace.traceparent)
        #expect(requests[0].header("tracestate") == "rojo=1")
        #expect(
            requests[1].header("traceparent")?.hasPrefix("00-1111") == true && requests[1].header("tracestate") == nil)
        #expect(requests[2].header("traceparent") == nil && requests[2].header("tracestate") == nil)
    }

    @Test func methodsWithAndWithoutBodies() async throws {
        let peer = try FaultyHTTPPeer()
        defer { peer.stop() }
        _ = try await send(peer.url("/p"), method: "PATCH", body: [])
        _ = try await send(peer.url("/d"), method: "DELETE", body: nil)
        _ = try await send(peer.url("/g"), method: "GET", body: nil)
        _ = try await send(peer.url("/u"), method: "PUT", body: Array("x".utf8))
        let seen = peer.requests.map { "\($0.method) \($0.target) \($0.header("Content-Length") ?? "-")" }
        #expect(seen == ["PATCH /p 0", "DELETE /d -", "GET /g -", "PUT /u 1"])
        // libcurl's form content type is not added to a body sent without one.
        #expect(peer.requests[3].header("Content-Type") == nil)
    }

    @Test func aRedirectIsTheAnswerAndNothingGoesWhereItPoints() async throws {
        let elsewhere = try FaultyHTTPPeer()
        defer { elsewhere.stop() }
        let origin = try FaultyHTTPPeer(fallback: .redirect(status: 307, to: elsewhere.url("/stolen")))
        defer { origin.stop() }
        for status in [301, 302, 303, 307, 308] {
            origin.script(.redirect(status: status, to: elsewhere.url("/stolen")))
            let response = try await send(origin.url("/api"), headers: [("Authorization", "Bearer secret-token")])
            #expect(response.status == status)
            #expect(response.location == elsewhere.url("/stolen"))
        }
        #expect(origin.requests.count == 5)
        #expect(elsewhere.connections == 0)
    }

    @Test func aBodyOverTheLimitStopsTheTransferAndFails() async throws {
        let peer = try FaultyHTTPPeer(fallback: .endless(bytes: 128 << 20))
        defer { peer.stop() }
        let error = await failure { () async throws(HTTPClientError) in try await send(peer.url("/huge")) }
        #expect(error?.kind == .answerTooLarge(limit: 1 << 20))
        #expect(error?.status == 200)
        #expect(error?.mayHaveSent == true)
        #expect(error?.description == "HTTP 200, answer over 1 MiB; not read further")
        // Reading stopped near the limit: the peer could not write the 128 MiB.
        #expect(peer.bytesSent < 32 << 20, "\(peer.bytesSent)")
    }

    @Test func aBodyOverACutLimitKeepsItsStart() async throws {
        let peer = try FaultyHTTPPeer(fallback: .endless(status: 500, bytes: 128 << 20))
        defer { peer.stop() }
        let response = try await send(peer.url("/huge"), limit: .reasonExcerpt)
        #expect(response.status == 500)
        #expect(response.truncated)
        #expect(response.body.count == 64 << 10)
        #expect(response.body.allSatisfy { $0 == UInt8(ascii: "x") })
    }

    @Test func aBodyExactlyAtTheLimitIsWhole() async throws {
        let peer = try FaultyHTTPPeer(fallback: .endless(bytes: 4096))
        defer { peer.stop() }
        let response = try await send(peer.url("/"), limit: HTTPAnswerLimit(bytes: 4096, excess: .fails))
        #expect(response.body.count == 4096)
        #expect(!response.truncated)
    }

    @Test func aCompressedBodyIsNeverInflated() async throws {
        let bomb = try FaultyHTTPPeer.gzippedZeros(16 << 20)
        let peer = try FaultyHTTPPeer(
            fallback: .answer(
                status: 200, headers: [("Content-Encoding", "gzip"), ("Content-Type", "application/json")], body: bomb))
        defer { peer.stop() }
        let response = try await send(peer.url("/bomb"))
        #expect(response.body == bomb)
        #expect(response.header("Content-Encoding") == "gzip")
    }

    @Test func aRefusedConnectionWasNotSent() async throws {
        let peer = try FaultyHTTPPeer()
        let url = peer.url("/")
        peer.stop()
        let error = await failure { () async throws(HTTPClientError) in try await send(url) }
        #expect(error?.kind == .cannotConnect)
        #expect(error?.mayHaveSent == false)
    }

    @Test func aSilentPeerTimesOutAfterTheRequestLeft() async throws {
        let peer = try FaultyHTTPPeer(fallback: .silent)
        defer { peer.stop() }
        let error = await failure { () async throws(HTTPClientError) in
            try await send(peer.url("/"), timeout: .milliseconds(300))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.mayHaveSent == true)
        #expect(peer.requests.count == 1)
    }

    @Test func aTimeoutOnAReusedConnectionMayHaveSent() async throws {
        let peer = try FaultyHTTPPeer(fallback: .silent)
        defer { peer.stop() }
        peer.script(.answer(status: 200))
        _ = try await send(peer.url("/first"))
        let error = await failure { () async throws(HTTPClientError) in
            try await send(peer.url("/second"), timeout: .milliseconds(300))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.mayHaveSent == true)
        #expect(peer.connections == 1)
    }

    @Test func aConnectionClosedWithoutAnAnswerIsLost() async throws {
        let peer = try FaultyHTTPPeer(fallback: .close)
        defer { peer.stop() }
        let error = await failure { () async throws(HTTPClientError) in try await send(peer.url("/")) }
        #expect(error?.kind == .connectionLost)
        #expect(error?.mayHaveSent == true)
    }

    @Test(.timeLimit(.minutes(1)))
    func cancellingTheTaskEndsTheCallAtOnce() async throws {
        let peer = try FaultyHTTPPeer(fallback: .silent)
        defer { peer.stop() }
        let call = Task { try await send(peer.url("/"), timeout: .seconds(60)) }
        while peer.silentNow == 0 { try await Task.sleep(for: .milliseconds(10)) }
        call.cancel()
        let result = await call.result
        guard case .failure(let failure) = result, let error = failure as? HTTPClientError else {
            Issue.record("expected an HTTPClientError, got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
        #expect(error.mayHaveSent)
        // The connection was closed, so the peer stops waiting too.
        while peer.silentNow > 0 { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func aCancelledTaskSendsNothing() async throws {
        let peer = try FaultyHTTPPeer()
        defer { peer.stop() }
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await send(peer.url("/"))
        }
        let result = await call.result
        guard case .failure(let failure) = result, let error = failure as? HTTPClientError else {
            Issue.record("expected an HTTPClientError, got \(result)")
            return
        }
        #expect(error == HTTPClientError(.cancelled, mayHaveSent: false, curlCode: 42))
        #expect(peer.connections == 0)
    }

    @Test(arguments: [
        [(name: "X-Evil", value: "a\r\nInjected: yes")], [(name: "X-Evil", value: "a\nb")],
        [(name: "Bad Name", value: "x")], [(name: "X-Nul", value: "a\u{0}b")],
    ])
    func aHeaderThatWouldAddFieldsIsRefusedBeforeSending(headers: [(name: String, value: String)]) async throws {
        let peer = try FaultyHTTPPeer()
        defer { peer.stop() }
        let error = await failure { () async throws(HTTPClientError) in try await send(peer.url("/"), headers: headers)
        }
        guard case .invalidRequest? = error?.kind else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(error?.mayHaveSent == false)
        #expect(peer.connections == 0)
    }

    @Test func aURLOfAnotherSchemeCannotBeUsed() async throws {
        let error = await failure { () async throws(HTTPClientError) in try await send("ftp://127.0.0.1:1/file") }
        #expect(error?.kind == .unusableURL)
        #expect(error?.mayHaveSent == false)
    }

    @Test func connectionsAreReusedAcrossCallsAndClients() async throws {
        let peer = try FaultyHTTPPeer()
        defer { peer.stop() }
        let other = HTTPClient(HTTPClient.Configuration(timeout: .seconds(5)))
        for index in 0..<20 { _ = try await send(peer.url("/\(index)"), via: index.isMultiple(of: 2) ? client : other) }
        #expect(peer.requests.count == 20)
        #expect(peer.connections == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func callsBeyondTheClientsLimitWaitAndLeaveWhenCancelled() async throws {
        let peer = try FaultyHTTPPeer(fallback: .silent)
        defer { peer.stop() }
        let limited = HTTPClient(HTTPClient.Configuration(timeout: .seconds(60), maximumInFlight: 1))
        let first = Task { try await send(peer.url("/first"), via: limited, timeout: .seconds(60)) }
        while peer.silentNow == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let second = Task { try await send(peer.url("/second"), via: limited, timeout: .seconds(60)) }
        second.cancel()
        let waited = await second.result
        guard case .failure(let failure) = waited, let error = failure as? HTTPClientError else {
            Issue.record("expected an HTTPClientError, got \(waited)")
            return
        }
        #expect(error == HTTPClientError(.cancelled, mayHaveSent: false))
        first.cancel()
        _ = await first.result
        // Both places are free again: the next call runs at once.
        peer.script(.answer(status: 204))
        #expect(try await send(peer.url("/third"), via: limited).status == 204)
        #expect(peer.requests.map(\.target) == ["/first", "/third"])
    }

    @Test func manyCallsInFlightAllComplete() async throws {
        let peer = try FaultyHTTPPeer(fallback: .answer(status: 200, body: Array("ok".utf8)))
        defer { peer.stop() }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                group.addTask { try await send(peer.url("/\(index)")).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 200)
        #expect(statuses.allSatisfy { $0 == 200 })
    }
}
