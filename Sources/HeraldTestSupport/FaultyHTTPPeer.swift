import Foundation
import Glibc
import Synchronization

/// An HTTP/1.1 peer on a loopback port that misbehaves on purpose, for the outbound client's
/// tests: it redirects, never answers, streams answers of any size, sends compressed bodies nobody
/// asked for, or closes without a word; and it records every request it read.
///
/// Plain blocking sockets, a thread per connection (tests open few): nothing here shares code with
/// what it tests. Each request takes the next scripted behaviour, then `fallback` once the script
/// is used up; connections are kept alive between requests unless a behaviour ends them.
///
/// ```swift
/// let peer = try FaultyHTTPPeer(fallback: .silent)
/// defer { peer.stop() }
/// peer.url("/api/1.0")   // http://127.0.0.1:PORT/api/1.0
/// ```
package final class FaultyHTTPPeer: Sendable {
    /// What the peer does with one request.
    package enum Behaviour: Sendable {
        /// Answers with `status`, `headers` and `body` (Content-Length added).
        case answer(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
        /// Answers `status` with `Location: location` and a short body.
        case redirect(status: Int = 307, to: String)
        /// Reads the request and never answers; the connection stays open until the client closes it.
        case silent
        /// Answers `status` with a `Content-Length: bytes` body of `x`s, written 64 KiB at a time
        /// until all is sent or the client stops reading (`bytesSent` tells how far it got).
        case endless(status: Int = 200, bytes: Int, headers: [(String, String)] = [])
        /// Reads the request and closes the connection without answering.
        case close
    }

    /// One request as the peer read it.
    package struct Request: Sendable {
        package let method: String
        package let target: String
        package let headers: [(name: String, value: String)]
        package let body: [UInt8]

        /// The first value of `name`, compared ignoring case.
        package func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    private struct State {
        var script: [Behaviour] = []
        var requests: [Request] = []
        var connections = 0
        var silentNow = 0
        var bytesSent = 0
        var open: Set<Int32> = []
        var stopped = false
    }

    private let listener: Int32
    private let fallback: Behaviour
    private let state = Mutex(State())
    /// The port the peer listens on (127.0.0.1).
    package let port: UInt16

    /// Starts listening on a port the system picks.
    ///
    /// - Parameter fallback: what every request gets once the script is used up.
    package init(fallback: Behaviour = .answer(status: 200)) throws {
        self.fallback = fallback
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw RawHTTPClient.Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && listen(socket, 256) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else {
            close(socket)
            throw RawHTTPClient.Failure(description: "bind/listen: errno \(errno)")
        }
        listener = socket
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "faulty-peer-accept"
        thread.start()
    }

    /// `http://127.0.0.1:PORT` and `path`.
    package func url(_ path: String = "") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Queues behaviours for the next requests, in order.
    package func script(_ behaviours: Behaviour...) {
        state.withLock { $0.script += behaviours }
    }

    /// Every request read so far.
    package var requests: [Request] { state.withLock { $0.requests } }
    /// How many connections were accepted.
    package var connections: Int { state.withLock { $0.connections } }
    /// How many requests wait, unanswered, on a `.silent` connection now.
    package var silentNow: Int { state.withLock { $0.silentNow } }
    /// Body bytes written by `.endless` answers, all together.
    package var bytesSent: Int { state.withLock { $0.bytesSent } }

    /// Stops accepting and closes every connection (a silent one's client sees the close).
    package func stop() {
        // Under the lock that `serve` closes its descriptor under: a number closed meanwhile may
        // already belong to another test's socket.
        state.withLock { state in
            state.stopped = true
            for descriptor in state.open { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit {
        stop()
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let descriptor = accept(listener, nil, nil)
            if descriptor < 0 {
                if errno == EINTR { continue }
                return
            }
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections += 1
                state.open.insert(descriptor)
                return true
            }
            guard accepted else {
                close(descriptor)
                return
            }
            let thread = Thread { [self] in serve(descriptor) }
            thread.name = "faulty-peer-connection"
            thread.start()
        }
    }

    private func serve(_ descriptor: Int32) {
        var connection = PeerConnection(descriptor: descriptor)
        defer {
            state.withLock { state in
                state.open.remove(descriptor)
                close(descriptor)
            }
        }
        while let request = connection.readRequest() {
            let behaviour = state.withLock { state -> Behaviour in
                state.requests.append(request)
                return state.script.isEmpty ? fallback : state.script.removeFirst()
            }
            guard perform(behaviour, on: &connection) else { return }
        }
    }

    /// Acts out `behaviour`; false when the connection is over.
    private func perform(_ behaviour: Behaviour, on connection: inout PeerConnection) -> Bool {
        switch behaviour {
        case .answer(let status, let headers, let body):
            return connection.write(Self.head(status, headers, length: body.count) + body)
        case .redirect(let status, let location):
            let body = Array("moved".utf8)
            return connection.write(Self.head(status, [("Location", location)], length: body.count) + body)
        case .silent:
            state.withLock { $0.silentNow += 1 }
            connection.waitForClose()
            state.withLock { $0.silentNow -= 1 }
            return false
        case .endless(let status, let bytes, let headers):
            guard connection.write(Self.head(status, headers, length: bytes)) else { return false }
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
            var left = bytes
            while left > 0 {
                let piece = min(left, chunk.count)
                guard connection.write(Array(chunk[..<piece])) else { return false }
                state.withLock { $0.bytesSent += piece }
                left -= piece
            }
            return true
        case .close:
            return false
        }
    }

    private static func head(_ status: Int, _ headers: [(String, String)], length: Int) -> [UInt8] {
        var text = "HTTP/1.1 \(status) Status\r\nContent-Length: \(length)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }
}

/// One accepted connection's reading side: requests framed by Content-Length.
private struct PeerConnection {
    let descriptor: Int32
    var buffer: [UInt8] = []

    /// The next request, or nil when the client closed the connection (or sent something else).
    mutating func readRequest() -> FaultyHTTPPeer.Request? {
        while true {
            if let end = headEnd() {
                let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let words = lines[0].split(separator: " ")
                guard words.count == 3 else { return nil }
                let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    return (name: String(line[..<colon]), value: value)
                }
                let length =
                    headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
                while buffer.count < end + 4 + length {
                    guard fill() else { return nil }
                }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return FaultyHTTPPeer.Request(
                    method: String(words[0]), target: String(words[1]), headers: headers, body: body)
            }
            guard fill() else { return nil }
        }
    }

    /// Blocks until the client closes the connection (or the peer stops).
    mutating func waitForClose() {
        while fill() { buffer.removeAll() }
    }

    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            buffer += chunk[0..<count]
            return true
        }
    }
}

extension FaultyHTTPPeer {
    /// `count` zero bytes through `gzip -9`: a small body that inflates to `count` bytes (256 MiB
    /// become about 254 KiB), the gzip bomb a peer can send with `Content-Encoding: gzip`.
    ///
    /// - Throws: `RawHTTPClient.Failure` when gzip cannot be run.
    package static func gzippedZeros(_ count: Int) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "head -c \(count) /dev/zero | gzip -9"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, !data.isEmpty else {
            throw RawHTTPClient.Failure(description: "gzip failed with status \(process.terminationStatus)")
        }
        return Array(data)
    }
}
