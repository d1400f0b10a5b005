import Foundation
import Glibc
import HeraldHTTP

/// A response as read off the wire by `TestClient`.
struct TestResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

struct TestClientError: Error, CustomStringConvertible {
    var description: String
}

/// A tiny blocking HTTP client over a raw socket, with a receive timeout so that a broken server
/// fails a test instead of hanging it.
final class TestClient {
    /// -1 once closed: an initializer that throws after closing it still runs `deinit`, and a
    /// second close would close whatever descriptor a test running beside this one opened under
    /// that number (once: the descriptor of `alreadyListeningDescriptor`, whose server then
    /// failed with epoll_ctl EEXIST).
    private(set) var fd: Int32
    private var buffer: [UInt8] = []

    init(_ address: HTTPListenAddress, timeout: Int = 5) throws {
        switch address {
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var results: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
                throw TestClientError(description: "cannot resolve \(host)")
            }
            defer { freeaddrinfo(results) }
            fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
            guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
                let code = errno
                Glibc.close(fd)
                fd = -1
                throw TestClientError(description: "connect to \(address) failed: errno \(code)")
            }
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard status == 0 else {
                Glibc.close(fd)
                fd = -1
                throw TestClientError(description: "connect to \(path) failed")
            }
        case .fileDescriptor:
            throw TestClientError(description: "cannot connect to a descriptor")
        }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw TestClientError(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads more bytes; false at end of stream or on a reset.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[..<count])
            return true
        }
        if count == 0 || errno == ECONNRESET { return false }
        throw TestClientError(description: "recv failed or timed out: errno \(errno)")
    }

    /// Reads one response framed by Content-Length (or none, for 1xx, 204 and 304).
    func readResponse(forHEAD: Bool = false) throws -> TestResponse {
        let separator = Array("\r\n\r\n".utf8)
        var end: Int?
        while true {
            if let found = buffer.firstRange(of: separator) {
                end = found.upperBound
                break
            }
            guard try fill() else { throw TestClientError(description: "closed before a response head") }
        }
        guard let end else { throw TestClientError(description: "no head") }
        let headText = String(decoding: buffer[..<(end - 4)], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw TestClientError(description: "bad status line in \(headText)")
        }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        buffer.removeFirst(end)
        var length = Int(headers["Content-Length"] ?? "0") ?? 0
        if forHEAD || status < 200 { length = 0 }
        while buffer.count < length {
            guard try fill() else { throw TestClientError(description: "closed inside a body") }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return TestResponse(status: status, headers: headers, body: body)
    }

    /// Whether the server closes the connection (end of stream or reset) with no further bytes.
    func isClosedByServer() throws -> Bool {
        if !buffer.isEmpty { return false }
        return try !fill()
    }

    /// One request and its response.
    func request(_ method: String, _ target: String, body: String = "", headers: String = "") throws -> TestResponse {
        try send(
            "\(method) \(target) HTTP/1.1\r\nHost: test\r\n\(headers)Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        return try readResponse(forHEAD: method == "HEAD")
    }
}
