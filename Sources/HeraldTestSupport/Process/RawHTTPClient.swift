import Foundation
import Glibc

/// A small blocking HTTP/1.1 client over a raw TCP socket, for integration tests that need
/// exact control over the bytes (malformed requests, keep-alive, auth headers).
package final class RawHTTPClient {
    package struct Response: Sendable {
        package let status: Int
        package let headers: [(String, String)]
        package let body: [UInt8]

        package var text: String { String(decoding: body, as: UTF8.self) }

        package func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// -1 once closed: an initializer that throws after closing it still runs `deinit`, and a
    /// second close would close whatever descriptor another test opened under that number.
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    /// The `Host` every request names unless its headers give one: the address connected to, as
    /// a client of that address would send.
    private let host: String

    /// Connects to `host:port` (IPv4 literal) with a receive timeout.
    package init(address: String, timeout: Duration = .seconds(10)) throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw Failure(description: "bad address \(address)")
        }
        let host = String(address[..<colon])
        self.host = address
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(errno)") }
        var seconds = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            descriptor = -1
            throw Failure(description: "connect \(host):\(port): errno \(errno)")
        }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    package func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += written
        }
    }

    package func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends a request with `body` and reads the response.
    package func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { head += "Host: \(self.host)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse(bodyless: method == "HEAD")
    }

    /// Reads one response (Content-Length framed, or until close); `bodyless` for the answer to a
    /// HEAD request, whose Content-Length describes a body that is not sent.
    package func readResponse(bodyless: Bool = false) throws -> Response {
        while true {
            if let end = headEnd() {
                let headText = String(decoding: buffer[..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ")
                guard parts.count >= 2, let status = Int(parts[1]) else {
                    throw Failure(description: "bad status line \(statusLine)")
                }
                let headers = lines.compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (
                        String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    )
                }
                let declared = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
                let length = bodyless ? 0 : declared
                let bodyStart = end + 4
                while buffer.count < bodyStart + length {
                    guard try fill() else { throw Failure(description: "connection closed in the body") }
                }
                let body = Array(buffer[bodyStart..<(bodyStart + length)])
                buffer.removeFirst(bodyStart + length)
                if status == 100 { continue }
                return Response(status: status, headers: headers, body: body)
            }
            guard try fill() else { throw Failure(description: "connection closed before a response") }
        }
    }

    /// True when the server closed the connection (reads end of stream).
    package func isClosedByPeer() -> Bool {
        (try? fill()) == false
    }

    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw Failure(description: "recv: errno \(errno)") }
        if count == 0 { return false }
        buffer += chunk[0..<count]
        return true
    }
}
