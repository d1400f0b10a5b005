import Testing

@testable import HeraldHTTP

@Suite struct HTTPListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8080", HTTPListenAddress.tcp(host: "127.0.0.1", port: 8080)),
        ("[::1]:0", .tcp(host: "::1", port: 0)),
        ("localhost:1", .tcp(host: "localhost", port: 1)),
        (":9000", .tcp(host: "", port: 9000)),
        ("unix:/run/herald.sock", .unix(path: "/run/herald.sock")),
        ("fd:3", .fileDescriptor(3)),
    ])
    func parses(_ text: String, _ expected: HTTPListenAddress) throws {
        #expect(try HTTPListenAddress(parsing: text) == expected)
    }

    @Test(arguments: ["", "8080", "host:", "host:70000", "::1:80", "[::1:80", "unix:", "fd:x", "fd:-1"])
    func rejects(_ text: String) {
        #expect(throws: HTTPError.invalidAddress(text)) { try HTTPListenAddress(parsing: text) }
    }

    @Test func describesItself() {
        #expect(HTTPListenAddress.tcp(host: "::1", port: 80).description == "[::1]:80")
        #expect(HTTPListenAddress.tcp(host: "0.0.0.0", port: 80).description == "0.0.0.0:80")
    }
}
