import Testing

@testable import HeraldHTTP

/// One input and the events it must produce, however it is split.
struct ParserFixture: CustomTestStringConvertible, Sendable {
    var name: String
    var input: [UInt8]
    var expected: [String]
    var limits = HTTPLimits()

    init(_ name: String, _ input: String, _ expected: [String], limits: HTTPLimits = HTTPLimits()) {
        self.name = name
        self.input = Array(input.utf8)
        self.expected = expected
        self.limits = limits
    }

    var testDescription: String { name }
}

private let small = HTTPLimits(
    maxRequestLineLength: 40, maxHeaderBlockSize: 64, maxHeaderCount: 3, maxBodySize: 16, maxChunkLineLength: 16)

let parserFixtures: [ParserFixture] = [
    // Valid requests.
    .init("GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", ["GET / HTTP/1.1 keep-alive none", "body:"]),
    .init(
        "POST with Content-Length",
        "POST /v1/events/login/after?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        ["POST /v1/events/login/after?x=1 HTTP/1.1 keep-alive length(5)", "body:hello"]),
    .init(
        "Content-Length 0", "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
        ["PUT / HTTP/1.1 keep-alive length(0)", "body:"]),
    .init("HTTP/1.0 closes", "GET / HTTP/1.0\r\n\r\n", ["GET / HTTP/1.0 close none", "body:"]),
    .init(
        "HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
        ["GET / HTTP/1.0 keep-alive none", "body:"]),
    .init(
        "HTTP/1.1 Connection: close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
        ["GET / HTTP/1.1 close none", "body:"]),
    .init(
        "chunked with extensions and trailers",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;foo=bar\r\nhello\r\nA ; x\r\n, world!!!\r\n0\r\nX-Trailer: t\r\nY: u\r\n\r\n",
        ["POST /c HTTP/1.1 keep-alive chunked", "body:hello, world!!!"]),
    .init(
        "chunked with Transfer-Encoding in two fields",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n",
        ["POST /c HTTP/1.1 keep-alive chunked", "body:"]),
    .init(
        "pipelined requests",
        "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
        [
            "POST /a HTTP/1.1 keep-alive length(3)", "body:abc", "GET /b HTTP/1.1 keep-alive none", "body:",
            "POST /c HTTP/1.1 keep-alive chunked", "body:z",
        ]),
    .init(
        "bare LF line endings", "POST / HTTP/1.1\nHost: a\nContent-Length: 2\n\nok",
        ["POST / HTTP/1.1 keep-alive length(2)", "body:ok"]),
    .init(
        "bare LF in chunked", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n",
        ["POST / HTTP/1.1 keep-alive chunked", "body:ok"]),
    .init(
        "empty lines before the request line", "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        ["GET / HTTP/1.1 keep-alive none", "body:"]),
    .init(
        "repeated identical Content-Length",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\ncontent-length: 2, 2\r\n\r\nok",
        ["POST / HTTP/1.1 keep-alive length(2)", "body:ok"]),
    .init(
        "Expect: 100-continue", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx",
        ["POST / HTTP/1.1 keep-alive expect length(1)", "body:x"]),
    .init(
        "Expect ignored in HTTP/1.0", "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
        ["POST / HTTP/1.0 close length(1)", "body:x"]),
    .init(
        "unusual method with a body", "PURGE * HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx",
        ["PURGE * HTTP/1.1 keep-alive length(1)", "body:x"]),
    .init(
        "obs-text and tabs in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: \t\u{e9}\tb \r\n\r\n",
        ["GET / HTTP/1.1 keep-alive none", "body:"]),
    .init(
        "limits exactly reached",
        "GET /012345678901234567890123 HTTP/1.1\r\nHost: a\r\nA: 012345678901234567890123456789012345678901234567\r\n\r\n",
        ["GET /012345678901234567890123 HTTP/1.1 keep-alive none", "body:"], limits: small),

    // Malformed requests: 400.
    .init("garbage", "\u{1}\u{2}\u{3} hello\r\n\r\n", ["error:400"]),
    .init("no version", "GET /\r\n\r\n", ["error:400"]),
    .init("two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", ["error:400"]),
    .init("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", ["error:400"]),
    .init("invalid method character", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", ["error:400"]),
    .init("control character in target", "GET /\u{7f} HTTP/1.1\r\nHost: a\r\n\r\n", ["error:400"]),
    .init("missing Host", "GET / HTTP/1.1\r\n\r\n", ["error:400"]),
    .init("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ["error:400"]),
    .init("invalid header name", "GET / HTTP/1.1\r\nHost: a\r\nX@Y: 1\r\n\r\n", ["error:400"]),
    .init("header without colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", ["error:400"]),
    .init("whitespace before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", ["error:400"]),
    .init("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  2\r\n\r\n", ["error:400"]),
    .init("bare CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r2\r\n\r\n", ["error:400"]),
    .init("NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\u{0}2\r\n\r\n", ["error:400"]),
    .init(
        "Content-Length and Transfer-Encoding",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ["error:400"]),
    .init(
        "Content-Length list that differs", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello",
        ["error:400"]),
    .init(
        "Content-Length repeated with different values",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", ["error:400"]),
    .init(
        "Content-Length not a number", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", ["error:400"]),
    .init("Content-Length empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", ["error:400"]),
    .init(
        "chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        ["error:400"]),
    .init(
        "Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ["error:400"]
    ),
    .init(
        "invalid chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ["POST / HTTP/1.1 keep-alive chunked", "error:400"]),
    .init(
        "chunk data without CRLF",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokx\r\n0\r\n\r\n",
        ["POST / HTTP/1.1 keep-alive chunked", "error:400"]),
    .init(
        "obs-fold in a trailer",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\n 2\r\n\r\n",
        ["POST / HTTP/1.1 keep-alive chunked", "error:400"]),
    .init(
        "pipelined valid then invalid", "GET / HTTP/1.1\r\nHost: a\r\n\r\nBAD\r\n\r\n",
        ["GET / HTTP/1.1 keep-alive none", "body:", "error:400"]),

    // Limits.
    .init(
        "413 from Content-Length, body never sent", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n",
        ["error:413"], limits: small),
    .init(
        "413 from a huge Content-Length",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", ["error:413"]),
    .init(
        "413 while reading chunked",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n8\r\n",
        ["POST / HTTP/1.1 keep-alive chunked", "error:413"], limits: small),
    .init(
        "414 request line", "GET /0123456789012345678901234 HTTP/1.1\r\nHost: a\r\n\r\n", ["error:414"], limits: small),
    .init(
        "431 header block", "GET / HTTP/1.1\r\nHost: a\r\nA: 0123456789012345678901234567890123456789012345678\r\n\r\n",
        ["error:431"], limits: small),
    .init("431 field count", "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", ["error:431"], limits: small),
    .init(
        "431 trailer count",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
        ["POST / HTTP/1.1 keep-alive chunked", "error:431"], limits: small),
    .init(
        "400 chunk size line too long",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;aaaaaaaaaaaaaaaaaaaa\r\n",
        ["POST / HTTP/1.1 keep-alive chunked", "error:400"], limits: small),
    .init(
        "501 gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        ["error:501"]),
    // RFC 9112 §6.3: chunked not last leaves the length unknown: 400, whatever else is named.
    .init("400 identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", ["error:400"]),
    .init(
        "400 chunked, gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
        ["error:400"]),
    .init("505 HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", ["error:505"]),
    .init("505 HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", ["error:505"]),
]

/// Feeds `chunks` one after another, collecting events until the first error.
func collectEvents(_ chunks: [ArraySlice<UInt8>], limits: HTTPLimits) -> [HTTPRequestParser.Event] {
    var parser = HTTPRequestParser(limits: limits)
    var events: [HTTPRequestParser.Event] = []
    for chunk in chunks {
        var rest = chunk
        while true {
            let step = parser.parse(rest)
            rest = rest.dropFirst(step.consumed)
            guard let event = step.event else {
                #expect(rest.isEmpty, "a step without an event must consume all its input")
                break
            }
            events.append(event)
            if case .error = event { return events }
        }
    }
    return events
}

func summary(_ event: HTTPRequestParser.Event) -> String {
    switch event {
    case .head(let head):
        let expect = head.expectsContinue ? " expect" : ""
        return
            "\(head.method) \(head.target) \(head.version) \(head.keepAlive ? "keep-alive" : "close")\(expect) \(head.bodyFraming)"
    case .body(let bytes):
        return "body:" + String(decoding: bytes, as: UTF8.self)
    case .error(let error):
        return "error:\(error.status)"
    }
}

@Suite struct HTTPRequestParserTests {
    @Test(arguments: parserFixtures)
    func fixtureGivesTheSameEventsHoweverSplit(_ fixture: ParserFixture) {
        let whole = collectEvents([fixture.input[...]], limits: fixture.limits)
        #expect(whole.map(summary) == fixture.expected)

        let byteByByte = collectEvents(fixture.input.indices.map { fixture.input[$0...$0] }, limits: fixture.limits)
        #expect(byteByByte == whole, "byte by byte")

        for offset in 0...fixture.input.count {
            let split = collectEvents(
                [fixture.input[..<offset], fixture.input[offset...]], limits: fixture.limits)
            #expect(split == whole, "split at \(offset)")
        }
    }

    @Test func headersKeepOrderAndRepeats() throws {
        let input = Array(
            "GET /p?q=1&r HTTP/1.1\r\nHost: a\r\nX-Tag: one\r\nx-tag:two \r\nContent-Type: text/plain\r\n\r\n".utf8)
        let events = collectEvents([input[...]], limits: HTTPLimits())
        guard case .head(let head) = try #require(events.first) else {
            Issue.record("expected a head")
            return
        }
        #expect(head.headers.map(\.name) == ["Host", "X-Tag", "x-tag", "Content-Type"])
        #expect(head.headers.values(for: "X-TAG") == ["one", "two"])
        #expect(head.headers["content-type"] == "text/plain")
        #expect(head.headers["missing"] == nil)
        #expect(head.path == "/p")
        #expect(head.query == "q=1&r")
    }

    @Test func pathWithoutQuery() {
        let head = HTTPRequestHead(method: "GET", target: "/healthz")
        #expect(head.path == "/healthz")
        #expect(head.query == nil)
    }

    @Test func errorIsSticky() {
        var parser = HTTPRequestParser()
        let first = parser.parse(Array("BAD\r\n".utf8)[...])
        #expect(first.event == .error(.malformed("request line is not method, target and version")))
        let again = parser.parse(Array("GET / HTTP/1.1\r\n".utf8)[...])
        #expect(again == HTTPRequestParser.Step(consumed: 0, event: first.event))
    }

    @Test func tracksTheRequestStart() {
        var parser = HTTPRequestParser()
        #expect(parser.isAtRequestStart)
        _ = parser.parse(Array("GE".utf8)[...])
        #expect(!parser.isAtRequestStart)
        _ = parser.parse(Array("T / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)[...])
        _ = parser.parse(ArraySlice<UInt8>())
        #expect(parser.isAtRequestStart)
    }

    @Test func largeBodyInPieces() {
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        let input = Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n".utf8) + body
        let chunks = stride(from: 0, to: input.count, by: 4096).map { input[$0..<min($0 + 4096, input.count)] }
        let events = collectEvents(chunks, limits: HTTPLimits())
        #expect(events.count == 2)
        #expect(events.last == .body(body))
    }

    /// A webhook that posts batches may have a larger limit than the rest, by exact path.
    @Test func aPathMayAllowALargerBody() {
        var limits = HTTPLimits(maxBodySize: 100)
        limits.maxBodySizeByPath["/v1/mandrill/events"] = 1000
        func outcome(_ target: String, _ size: Int, chunked: Bool = false) -> HTTPRequestParser.Event? {
            let body = [UInt8](repeating: UInt8(ascii: "a"), count: size)
            let framing =
                chunked
                ? "Transfer-Encoding: chunked\r\n\r\n\(String(size, radix: 16))\r\n" : "Content-Length: \(size)\r\n\r\n"
            let tail = chunked ? Array("\r\n0\r\n\r\n".utf8) : []
            let input = Array("POST \(target) HTTP/1.1\r\nHost: a\r\n\(framing)".utf8) + body + tail
            return collectEvents([input[...]], limits: limits).last
        }
        #expect(outcome("/v1/mandrill/events", 500) == .body([UInt8](repeating: UInt8(ascii: "a"), count: 500)))
        #expect(outcome("/v1/mandrill/events?x=1", 500, chunked: true) != .error(.contentTooLarge))
        #expect(outcome("/v1/mandrill/events", 1001) == .error(.contentTooLarge))
        #expect(outcome("/v1/events", 500) == .error(.contentTooLarge))
        #expect(outcome("/v1/events", 500, chunked: true) == .error(.contentTooLarge))
    }
}
