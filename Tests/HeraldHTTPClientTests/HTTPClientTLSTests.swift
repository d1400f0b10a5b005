import Foundation
import HeraldCore
import HeraldHTTPClient
import HeraldTestSupport
import Testing

/// The client against nginx over TLS: certificates checked against the system's store (which does
/// not know the test CA), HTTP/2 negotiated, and concurrent calls sharing one connection.
@Suite(.enabled(if: NginxTLSServer.path != nil, Comment(rawValue: NginxTLSServer.missing)))
struct HTTPClientTLSTests {
    func get(_ client: HTTPClient, _ url: String) async throws(HTTPClientError) -> HTTPClientResponse {
        try await client.send(HTTPClientRequest("GET", URL(string: url)!), timeout: .seconds(10))
    }

    @Test func aCertificateTheSystemDoesNotTrustIsRefusedBeforeSending() async throws {
        let nginx = try NginxTLSServer()
        defer { nginx.stop() }
        let client = HTTPClient(HTTPClient.Configuration(timeout: .seconds(10)))
        do {
            let response = try await get(client, nginx.url("/"))
            Issue.record("expected a failure, got HTTP \(response.status)")
        } catch {
            #expect(error.kind == .certificateRejected)
            #expect(error.mayHaveSent == false)
            #expect(error.description.hasPrefix("certificate not trusted: SSL certificate problem"), "\(error)")
            #expect(
                HTTPClientFailure.classify(error, peer: HTTPPeer(name: "Mandrill", url: "the URL", effect: "sent"))
                    .label == "retry")
        }
    }

    @Test func http2IsUsedAndItsStreamsShareOneConnection() async throws {
        let nginx = try NginxTLSServer()
        defer { nginx.stop() }
        let client = HTTPClient(HTTPClient.Configuration(timeout: .seconds(10), caFile: NginxTLSServer.caFile))
        // The first call opens the connection; those that follow, all at once, multiplex on it.
        let first = try await get(client, nginx.url("/first"))
        #expect(first.httpVersion == "2")
        let bodies = try await withThrowingTaskGroup(of: HTTPClientResponse.self) { group in
            for index in 0..<16 { group.addTask { try await get(client, nginx.url("/\(index)")) } }
            return try await group.reduce(into: [HTTPClientResponse]()) { $0.append($1) }
        }
        let connections = Set(
            ([first] + bodies).compactMap { try? JSONDocument(parsing: $0.body).root["connection"]?.int })
        #expect(bodies.allSatisfy { $0.status == 200 && $0.httpVersion == "2" })
        #expect(connections.count == 1, "\(connections)")
        let protocols = Set(bodies.compactMap { try? JSONDocument(parsing: $0.body).root["protocol"]?.string })
        #expect(protocols == ["HTTP/2.0"])
    }
}
