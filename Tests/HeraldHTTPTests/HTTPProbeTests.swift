import Foundation
import Glibc
import Testing

@testable import HeraldHTTP

/// `herald health`'s probe against the real server over TCP and a unix socket, and the ways it
/// fails: nothing listening, no answer in time, an answer that is not HTTP or too long.
@Suite struct HTTPProbeTests {
    @Test func getsTheStatusAndBodyOverTCP() throws {
        try withServer { _, address in
            let answer = try HTTPProbe(address: address).get("/healthz")
            #expect(answer == HTTPProbe.Answer(status: 200, body: "GET /healthz body="))
        }
    }

    @Test func aWildcardHostIsAskedOnLoopback() throws {
        try withServer(listeners: [.tcp(host: "0.0.0.0", port: 0)]) { _, address in
            guard case .tcp(_, let port) = address else { throw TestClientError(description: "not TCP") }
            #expect(try HTTPProbe(address: .tcp(host: "", port: port)).get("/").status == 200)
            #expect(try HTTPProbe(address: .tcp(host: "0.0.0.0", port: port)).get("/").status == 200)
        }
    }

    @Test func anErrorStatusIsAnAnswer() throws {
        try withServer { _, address in
            let answer = try HTTPProbe(address: address).get("/deny")
            #expect(answer == HTTPProbe.Answer(status: 401, body: "denied"))
        }
    }

    @Test func getsTheAnswerOverAUnixSocket() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-probe-\(getpid()).sock").path
        try withServer(listeners: [.unix(path: path)]) { _, address in
            let answer = try HTTPProbe(address: address).get("/readyz")
            #expect(answer.body == "GET /readyz body=")
        }
    }

    @Test func nothingListeningIsAConnectError() throws {
        // A port that was just free: bound, then closed.
        var port: UInt16 = 0
        try withServer { _, address in
            if case .tcp(_, let bound) = address { port = bound }
        }
        #expect {
            try HTTPProbe(address: .tcp(host: "127.0.0.1", port: port)).get("/healthz")
        } throws: { error in
            guard case HTTPError.system(let call, let code) = error else { return false }
            return call.hasPrefix("connect to 127.0.0.1:") && code == ECONNREFUSED
        }
    }

    @Test func aListenerThatNeverAnswersTimesOut() throws {
        try withServer { _, address in
            #expect(throws: HTTPError.responseTimeout) {
                try HTTPProbe(address: address, timeout: .milliseconds(300)).get("/hold")
            }
        }
    }

    @Test func anAnswerLongerThanTheLimitIsRefused() throws {
        try withServer { _, address in
            #expect(throws: HTTPError.malformedResponse("longer than \(HTTPProbe.maxAnswerBytes) bytes")) {
                try HTTPProbe(address: address).get("/big")
            }
        }
    }

    @Test func answersThatAreNotHTTPAreRefused() {
        #expect(throws: HTTPError.malformedResponse("closed without an answer")) { try HTTPProbe.parse([]) }
        #expect(throws: HTTPError.malformedResponse("cut short")) {
            try HTTPProbe.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n".utf8))
        }
        #expect(throws: HTTPError.malformedResponse("not an HTTP status line")) {
            try HTTPProbe.parse(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8))
        }
        #expect(throws: HTTPError.malformedResponse("not an HTTP status line")) {
            try HTTPProbe.parse(Array("HTTP/1.1 20 OK\r\n\r\n".utf8))
        }
        let answer = try? HTTPProbe.parse(Array("HTTP/1.1 503 Service Unavailable\r\nA: b\r\n\r\nnot ready\n".utf8))
        #expect(answer == HTTPProbe.Answer(status: 503, body: "not ready\n"))
    }
}
