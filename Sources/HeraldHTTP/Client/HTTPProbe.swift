import Glibc
import HeraldCore

/// One `GET` to one of Herald's own listeners, for `herald health`: what a container's
/// HEALTHCHECK or a probe runs where there is no curl. Blocking (a command, not the daemon), one
/// connection, `Connection: close`, everything within `timeout`, at most `maxAnswerBytes` read.
///
/// ```swift
/// let answer = try HTTPProbe(address: .tcp(host: "127.0.0.1", port: 4470)).get("/readyz")
/// // answer.status == 200, answer.body == "ready\n"
/// ```
package struct HTTPProbe: Sendable {
    /// The status and body of the answer.
    package struct Answer: Sendable, Equatable {
        package let status: Int
        package let body: String
    }

    /// Answers longer than this are refused: the probes answer a line.
    package static let maxAnswerBytes = 16 * 1024

    /// Where to connect: a TCP address or a unix socket. A wildcard host (`0.0.0.0`, `::`, empty)
    /// means this machine's loopback.
    package let address: HTTPListenAddress
    package let timeout: Duration

    package init(address: HTTPListenAddress, timeout: Duration = .seconds(5)) {
        self.address = address
        self.timeout = timeout
    }

    /// Sends `GET path` and reads the whole answer.
    ///
    /// - Throws: `HTTPError.system` when the listener cannot be reached, `.responseTimeout` when
    ///   the answer does not come within `timeout`, `.malformedResponse` for anything but HTTP.
    package func get(_ path: String) throws(HTTPError) -> Answer {
        let deadline = ContinuousClock.now + timeout
        let socket = try connect(deadline: deadline)
        let request = Array("GET \(path) HTTP/1.1\r\nHost: herald\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            try wait(socket.rawValue, for: Int16(POLLOUT), until: deadline)
            let count = request[sent...].withUnsafeBytes {
                Glibc.send(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                sent += count
            } else if count < 0 && errno != EINTR && errno != EAGAIN {
                throw .system(call: "send to \(address)", errno: errno)
            }
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            try wait(socket.rawValue, for: Int16(POLLIN), until: deadline)
            let result = buffer.withUnsafeMutableBytes { Posix.read(socket.rawValue, into: $0) }
            switch result {
            case .done(0): return try Self.parse(answer)
            case .done(let count):
                answer += buffer[..<count]
                guard answer.count <= Self.maxAnswerBytes else {
                    throw .malformedResponse("longer than \(Self.maxAnswerBytes) bytes")
                }
            case .wouldBlock: continue
            case .failed(let code): throw .system(call: "read from \(address)", errno: code)
            }
        }
    }

    /// The status and body of a complete `Connection: close` answer.
    static func parse(_ answer: [UInt8]) throws(HTTPError) -> Answer {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = answer.indices.first(where: { answer[$0...].starts(with: separator) }) else {
            throw .malformedResponse(answer.isEmpty ? "closed without an answer" : "cut short")
        }
        let statusLine = answer[..<end].split(separator: 13, maxSplits: 1).first ?? []
        let fields = statusLine.split(separator: UInt8(ascii: " "), maxSplits: 2)
        guard fields.count >= 2, fields[0].starts(with: Array("HTTP/1.".utf8)), fields[1].count == 3,
            let status = Int(String(decoding: fields[1], as: UTF8.self))
        else {
            throw .malformedResponse("not an HTTP status line")
        }
        return Answer(status: status, body: String(decoding: answer[(end + 4)...], as: UTF8.self))
    }

    /// A non-blocking socket connected to `address` within the deadline.
    private func connect(deadline: ContinuousClock.Instant) throws(HTTPError) -> FileDescriptor {
        var storage = sockaddr_storage()
        let length = try Self.socketAddress(of: address, into: &storage)
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let raw = socket(Int32(storage.ss_family), type, 0)
        guard raw >= 0 else { throw .system(call: "socket", errno: errno) }
        let socket = FileDescriptor(raw)
        var status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(raw, $0, length) }
        }
        if status != 0 && (errno == EINPROGRESS || errno == EINTR || errno == EAGAIN) {
            try wait(raw, for: Int16(POLLOUT), until: deadline)
            var code: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(raw, SOL_SOCKET, SO_ERROR, &code, &size)
            status = code == 0 ? 0 : -1
            errno = code
        }
        guard status == 0 else { throw .system(call: "connect to \(address)", errno: errno) }
        return socket
    }

    /// Waits until `fd` is ready for `events`, or throws `.responseTimeout` at the deadline.
    private func wait(_ fd: Int32, for events: Int16, until deadline: ContinuousClock.Instant) throws(HTTPError) {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw .responseTimeout }
            let milliseconds = Int32(clamping: left.saturatingMilliseconds + 1)
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return }  // ready, or an error the next call reports
            if ready < 0 && errno != EINTR { throw .system(call: "poll", errno: errno) }
        }
    }

    /// The socket address to connect to; a wildcard host becomes loopback.
    static func socketAddress(
        of address: HTTPListenAddress, into storage: inout sockaddr_storage
    ) throws(HTTPError) -> socklen_t {
        switch address {
        case .unix(let path):
            var unix = sockaddr_un()
            unix.sun_family = sa_family_t(AF_UNIX)
            guard path.utf8.count < MemoryLayout.size(ofValue: unix.sun_path) else {
                throw .invalidAddress("unix:\(path) (path too long)")
            }
            withUnsafeMutableBytes(of: &unix.sun_path) { $0.copyBytes(from: path.utf8) }
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: unix) { target.copyMemory(from: $0) }
            }
            return socklen_t(MemoryLayout<sockaddr_un>.size)
        case .tcp(let host, let port):
            let name =
                switch host {
                case "", "*", "0.0.0.0": "127.0.0.1"
                case "::": "::1"
                default: host
                }
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV
            var results: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(name, String(port), &hints, &results) == 0, let first = results else {
                throw .invalidAddress("\(address) (cannot resolve the host)")
            }
            defer { freeaddrinfo(results) }
            let length = first.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(length)))
            }
            return length
        case .fileDescriptor:
            throw .invalidAddress("\(address) (a passed socket cannot be probed; give the address it listens on)")
        }
    }
}
