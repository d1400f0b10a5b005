import Testing

@testable import HeraldHTTP

@Suite struct ResponseEncoderTests {
    private func encode(_ response: HTTPResponse, close: Bool = false, keepAliveForHTTP10: Bool = false) -> String {
        var encoder = ResponseEncoder()
        encoder.updateDate()
        encoder.encodeHead(
            response, bodyLength: response.body.count, close: close, keepAliveForHTTP10: keepAliveForHTTP10)
        return String(decoding: encoder.buffer, as: UTF8.self)
    }

    @Test func serverOwnsFramingFields() {
        let response = HTTPResponse(
            status: 202, headers: ["Content-Length": "999", "Transfer-Encoding": "chunked", "X-A": "1", "x-a": "2"],
            body: Array("{}".utf8))
        let head = encode(response, close: true)
        #expect(head.hasPrefix("HTTP/1.1 202 Accepted\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 2\r\nDate: "))
        #expect(head.hasSuffix(" GMT\r\nConnection: close\r\n\r\n"))
    }

    @Test func fieldsThatWouldInjectLinesAreDropped() {
        let head = encode(HTTPResponse(status: 200, headers: ["X-Evil": "a\r\nSet-Cookie: x", "X-Ok": "b"]))
        #expect(!head.contains("Evil"))
        #expect(head.contains("X-Ok: b\r\n"))
    }

    @Test func noContentLengthFor204() {
        let head = encode(HTTPResponse(status: 204), keepAliveForHTTP10: true)
        #expect(head.hasPrefix("HTTP/1.1 204 No Content\r\nDate: "))
        #expect(!head.contains("Content-Length"))
        #expect(head.hasSuffix("Connection: keep-alive\r\n\r\n"))
    }

    @Test func responderDateWins() {
        let head = encode(HTTPResponse(status: 200, headers: ["Date": "Thu, 01 Jan 1970 00:00:00 GMT"]))
        #expect(head.components(separatedBy: "Date:").count == 2)
    }

    @Test func connectionCloseFromTheResponder() {
        #expect(ResponseEncoder.requestsClose(HTTPResponse(status: 200, headers: ["connection": "Upgrade, Close"])))
        #expect(!ResponseEncoder.requestsClose(HTTPResponse(status: 200, headers: ["X": "close"])))
    }
}
