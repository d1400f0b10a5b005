import Foundation
import Glibc
import Testing

@testable import HeraldHTTP

@Suite struct HTTPServerTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            for index in 0..<3 {
                let response = try client.request("POST", "/e/\(index)", body: "n=\(index)")
                #expect(response.status == 200)
                #expect(response.text == "POST /e/\(index) body=n=\(index)")
                #expect(response.headers["Connection"] == nil)
                #expect(response.headers["Date"]?.hasSuffix(" GMT") == true)
                #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            try client.send(
                "POST /defer HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\naGET /second HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /third HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nc\r\n0\r\n\r\n")
            #expect(try client.readResponse().text == "POST /defer body=a")
            #expect(try client.readResponse().text == "GET /second body=")
            #expect(try client.readResponse().text == "POST /third body=c")
        }
    }

    @Test func largeResponseToASlowReaderThenAPipelinedRequest() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            try client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n")
            usleep(100_000)  // the response fills the socket buffers and is finished on EPOLLOUT
            let big = try client.readResponse()
            #expect(big.body.count == 4 << 20)
            #expect(big.body.allSatisfy { $0 == UInt8(ascii: "b") })
            #expect(try client.readResponse().text == "GET /after body=")
        }
    }

    @Test func largeUpload() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            let body = String(repeating: "u", count: 900_000)
            #expect(try client.request("POST", "/length", body: body).text == "900000")
            #expect(try client.request("POST", "/length", body: "abc").text == "3")
        }
    }

    @Test func chunkedUpload() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            try client.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n")
            try client.send("5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n")
            #expect(try client.readResponse().text == "POST /c body=Wikipedia")
        }
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            try client.send("POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            try client.send("hello")
            let final = try client.readResponse()
            #expect(final.status == 200)
            #expect(final.text == "POST /up body=hello")
        }
    }

    @Test func limitsAreAnsweredWithTheirStatusAndTheConnectionClosed() throws {
        let limits = HTTPLimits(
            maxRequestLineLength: 100, maxHeaderBlockSize: 200, maxHeaderCount: 5, maxBodySize: 1000)
        try withServer(configure: { $0.limits = limits }) { _, address in
            let tooLarge = try TestClient(address)
            // The body is never sent: the answer must come from Content-Length alone.
            try tooLarge.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n")
            let response413 = try tooLarge.readResponse()
            #expect(response413.status == 413)
            #expect(response413.headers["Connection"] == "close")
            #expect(try tooLarge.isClosedByServer())

            let longLine = try TestClient(address)
            try longLine.send("GET /\(String(repeating: "a", count: 200)) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try longLine.readResponse().status == 414)
            #expect(try longLine.isClosedByServer())

            let bigHeaders = try TestClient(address)
            try bigHeaders.send("GET / HTTP/1.1\r\nHost: t\r\nX: \(String(repeating: "b", count: 300))\r\n\r\n")
            #expect(try bigHeaders.readResponse().status == 431)

            let manyHeaders = try TestClient(address)
            try manyHeaders.send("GET / HTTP/1.1\r\nHost: t\r\n" + (0..<6).map { "X\($0): 1\r\n" }.joined() + "\r\n")
            #expect(try manyHeaders.readResponse().status == 431)

            let chunked = try TestClient(address)
            try chunked.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3E9\r\n")
            #expect(try chunked.readResponse().status == 413)

            let unsupported = try TestClient(address)
            try unsupported.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
            #expect(try unsupported.readResponse().status == 501)

            // Issue 9: chunked not last is a 400 and the connection is closed (RFC 9112 §6.3).
            let notLast = try TestClient(address)
            try notLast.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n")
            let answer = try notLast.readResponse()
            #expect(answer.status == 400)
            #expect(answer.headers["Connection"]?.lowercased() == "close")

            let version = try TestClient(address)
            try version.send("GET / HTTP/3.0\r\nHost: t\r\n\r\n")
            #expect(try version.readResponse().status == 505)
        }
    }

    @Test func screenRejectsWithoutReadingTheBody() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            try client.send("POST /deny HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nonly a little")
            let response = try client.readResponse()
            #expect(response.status == 401)
            #expect(response.headers["Connection"] == "close")
            #expect(try client.isClosedByServer())

            // Without a body the connection stays usable.
            let bodiless = try TestClient(address)
            let denied = try bodiless.request("GET", "/deny")
            #expect(denied.status == 401)
            #expect(denied.headers["Connection"] == nil)
            #expect(try bodiless.request("GET", "/after").text == "GET /after body=")
        }
    }

    @Test func deferredResponseFromAnotherThread() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            #expect(try client.request("POST", "/defer", body: "x").text == "POST /defer body=x")
            #expect(try client.request("GET", "/now").text == "GET /now body=")
        }
    }

    @Test func secondResponseIsIgnored() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            let first = try client.request("GET", "/twice")
            #expect(first.status == 200)
            usleep(50_000)  // lets the third answer arrive from its thread
            let next = try client.request("GET", "/next")
            #expect(next.status == 200)
            #expect(next.text == "GET /next body=")
        }
    }

    @Test func headRequestGetsNoBody() throws {
        try withServer { _, address in
            let client = try TestClient(address)
            let response = try client.request("HEAD", "/h")
            #expect(response.status == 200)
            #expect(response.headers["Content-Length"] == "\("HEAD /h body=".utf8.count)")
            #expect(try client.request("GET", "/g").text == "GET /g body=")
        }
    }

    @Test func http10ClosesAfterTheResponseUnlessKeepAlive() throws {
        try withServer { _, address in
            let closing = try TestClient(address)
            try closing.send("GET /old HTTP/1.0\r\n\r\n")
            let response = try closing.readResponse()
            #expect(response.headers["Connection"] == "close")
            #expect(try closing.isClosedByServer())

            let keeping = try TestClient(address)
            try keeping.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keeping.readResponse().headers["Connection"] == "keep-alive")
            try keeping.send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keeping.readResponse().text == "GET /again body=")
        }
    }

    @Test func slowHeadersGet408() throws {
        try withServer(configure: { $0.headerReadTimeout = .milliseconds(200) }) { _, address in
            let client = try TestClient(address)
            try client.send("GET / HTTP/1.1\r\nHo")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(try client.isClosedByServer())
        }
    }

    @Test func slowBodyGets408() throws {
        try withServer(configure: { $0.bodyReadTimeout = .milliseconds(200) }) { _, address in
            let client = try TestClient(address)
            try client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
            #expect(try client.readResponse().status == 408)
            #expect(try client.isClosedByServer())
        }
    }

    @Test func silentConnectionIsClosedWithoutAnswer() throws {
        try withServer(configure: { $0.headerReadTimeout = .milliseconds(200) }) { _, address in
            let client = try TestClient(address)
            #expect(try client.isClosedByServer())
        }
    }

    @Test func idleKeepAliveConnectionIsClosedSilently() throws {
        try withServer(configure: { $0.keepAliveTimeout = .milliseconds(200) }) { _, address in
            let client = try TestClient(address)
            #expect(try client.request("GET", "/").status == 200)
            #expect(try client.isClosedByServer())
        }
    }

    @Test func connectionsBeyondTheCapGet503() throws {
        try withServer(configure: { $0.maxConnections = 2 }) { _, address in
            let first = try TestClient(address)
            let second = try TestClient(address)
            #expect(try first.request("GET", "/1").status == 200)
            #expect(try second.request("GET", "/2").status == 200)
            let third = try TestClient(address)
            let refused = try third.readResponse()
            #expect(refused.status == 503)
            #expect(try third.isClosedByServer())
            // Once a connection closes, a new one is served.
            try first.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            _ = try first.readResponse()
            #expect(try first.isClosedByServer())
            #expect(
                eventually {
                    guard let fourth = try? TestClient(address) else { return false }
                    return (try? fourth.request("GET", "/4").status) == 200
                })
        }
    }

    @Test func malformedRequestGets400AndOthersAreStillServed() throws {
        try withServer { _, address in
            let bad = try TestClient(address)
            let good = try TestClient(address)
            try bad.send("\u{1}\u{2}garbage\r\n\r\n")
            let response = try bad.readResponse()
            #expect(response.status == 400)
            #expect(try bad.isClosedByServer())
            #expect(try good.request("GET", "/fine").status == 200)
        }
    }

    @Test func unixSocketListener() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "herald-http-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ingress.sock").path
        try makeStaleSocket(at: path)
        try withServer(listeners: [.unix(path: path)]) { _, address in
            #expect(address == .unix(path: path))
            var status = stat()
            #expect(stat(path, &status) == 0)
            #expect(status.st_mode & 0o777 == 0o660)
            let client = try TestClient(address)
            #expect(try client.request("POST", "/u", body: "x").text == "POST /u body=x")
        }
        #expect(access(path, F_OK) != 0, "the socket file is removed on stop")
    }

    @Test func unixSocketListenerRefusesToReplaceARegularFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-http-file-\(getpid())").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep".utf8)))
        defer { unlink(path) }
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listeners: [.unix(path: path)]), responder: TestResponder())
        #expect(throws: HTTPError.self) { try server.start() }
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
    }

    @Test func ipv6LoopbackListener() throws {
        try withServer(listeners: [.tcp(host: "::1", port: 0)]) { _, address in
            guard case .tcp(let host, let port) = address else {
                Issue.record("not a TCP address: \(address)")
                return
            }
            #expect(host == "::1")
            #expect(port != 0)
            let client = try TestClient(address)
            #expect(try client.request("GET", "/v6").text == "GET /v6 body=")
        }
    }

    @Test func alreadyListeningDescriptor() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0 && listen(fd, 16) == 0)
        try withServer(listeners: [.fileDescriptor(fd)]) { _, address in
            guard case .tcp("127.0.0.1", let port) = address, port != 0 else {
                Issue.record("unexpected bound address \(address)")
                return
            }
            let client = try TestClient(address)
            #expect(try client.request("GET", "/fd").status == 200)
        }
    }

    @Test func gracefulStopLetsTheRequestInFlightComplete() throws {
        let responder = TestResponder()
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listeners: [.tcp(host: "127.0.0.1", port: 0)]), responder: responder)
        try server.start()
        let address = try #require(server.boundAddresses.first)
        let busy = try TestClient(address)
        let idle = try TestClient(address)
        #expect(try idle.request("GET", "/idle").status == 200)
        try busy.send("POST /hold HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi")
        #expect(eventually { responder.heldCount == 1 })

        server.stop(deadline: .now + .seconds(10))
        #expect(try idle.isClosedByServer(), "idle connections close at once")
        #expect(eventually { (try? TestClient(address)) == nil }, "no longer accepting")
        responder.releaseHeld()
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "released")
        #expect(response.headers["Connection"] == "close")
        #expect(waitForStop(server))
    }

    @Test func stopDeadlineClosesWhatRemains() throws {
        let responder = TestResponder()
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listeners: [.tcp(host: "127.0.0.1", port: 0)]), responder: responder)
        try server.start()
        let client = try TestClient(try #require(server.boundAddresses.first))
        try client.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(eventually { responder.heldCount == 1 })
        server.stop(deadline: .now + .milliseconds(200))
        #expect(waitForStop(server))
        #expect(try client.isClosedByServer())
        responder.releaseHeld()  // answering after the stop is a no-op
    }

    @Test func runReturnsWhenStopped() async throws {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listeners: [.tcp(host: "127.0.0.1", port: 0)]),
            responder: TestResponder())
        try server.start()
        async let running: Void = server.run()
        server.stop(deadline: .now + .seconds(1))
        try await running
        #expect(server.boundAddresses.count == 1)
    }

    @Test func bindingFailureIsReported() throws {
        try withServer { _, address in
            let clash = HTTPServer(
                configuration: HTTPServerConfiguration(listeners: [address]), responder: TestResponder())
            #expect(throws: HTTPError.self) { try clash.start() }
        }
    }
}

/// Leaves a socket file behind, as a crashed process would.
private func makeStaleSocket(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
    let status = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    try #require(status == 0)
}
