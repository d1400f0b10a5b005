import Glibc
import HeraldCore
import HeraldJobs

/// The CLI's side of the control socket: one blocking HTTP/1.1 request per connection over the
/// unix socket `state_dir/control.sock` (the answers are small; the daemon closes after each).
package struct ControlClient: Sendable {
    /// The socket's path in a state directory.
    package static func socketPath(stateDirectory: String) -> String {
        JobControlRequest.socketPath(stateDirectory: stateDirectory)
    }

    package let path: String
    package var timeout: Duration = .seconds(60)

    package init(path: String) {
        self.path = path
    }

    /// Sends `method path` and returns the status and the JSON answer.
    /// - Throws: `ControlError` when the daemon cannot be reached or answers nonsense.
    package func request(_ method: String, _ target: String) throws(ControlError) -> (status: Int, body: JSON) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure("socket", errno) }
        defer { close(descriptor) }
        var seconds = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ControlError("\(path): path too long for a unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw failure("connect", errno) }
        let request = Array(
            "\(method) \(target) HTTP/1.1\r\nHost: herald\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes {
                send(descriptor, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw failure("send", errno) }
            sent += count
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw failure("read", errno) }
            if count == 0 { break }
            answer += buffer[..<count]
        }
        return try ControlClient.parse(answer)
    }

    /// The status and JSON body of a complete `Connection: close` response.
    static func parse(_ answer: [UInt8]) throws(ControlError) -> (status: Int, body: JSON) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = answer.indices.first(where: { answer[$0...].starts(with: separator) }) else {
            throw ControlError("the daemon's answer was cut short")
        }
        let head = String(decoding: answer[..<end], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, let status = Int(fields[1]) else {
            throw ControlError("the daemon's answer is not HTTP: \(statusLine)")
        }
        let body = Array(answer[(end + 4)...])
        guard let document = try? JSONDocument(parsing: body) else {
            throw ControlError("the daemon answered \(status) without JSON")
        }
        return (status, document.root.json)
    }

    private func failure(_ call: String, _ code: Int32) -> ControlError {
        ControlError("cannot reach the running daemon at \(path) (\(call): \(String(cString: strerror(code))))")
    }
}
