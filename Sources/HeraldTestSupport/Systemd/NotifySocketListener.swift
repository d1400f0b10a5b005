import Foundation
import Glibc

/// The receiving end of `$NOTIFY_SOCKET` for tests: a unix datagram socket bound to a file or an
/// abstract name, collecting the `sd_notify` messages the daemon sends.
package final class NotifySocketListener {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// What to put in `NOTIFY_SOCKET`: the path, or `@name` for an abstract name.
    package let path: String
    /// -1 once closed: an initializer that throws after closing it still runs `deinit`, and a
    /// second close would close whatever descriptor another test opened under that number.
    private var descriptor: Int32
    private let file: String?
    /// Every message received so far, in order.
    package private(set) var messages: [String] = []

    /// Binds a new socket: an abstract name when `abstract`, else a file in the temporary directory.
    package init(abstract: Bool) throws {
        let name = "herald-notify-\(UUID().uuidString.prefix(8))"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes: [UInt8]
        if abstract {
            path = "@" + name
            file = nil
            bytes = [0] + Array(name.utf8)
        } else {
            let location = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
            path = location
            file = location
            bytes = Array(location.utf8) + [0]
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            descriptor = -1
            throw Failure(description: "bind \(path): errno \(code)")
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if let file { unlink(file) }
    }

    /// Waits up to `timeout` for the next datagram; nil when none came.
    package func receive(timeout: Duration) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, max(milliseconds, 0)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard count >= 0 else { return nil }
        let message = String(decoding: buffer[..<count], as: UTF8.self)
        messages.append(message)
        return message
    }

    /// Receives until a message satisfies `condition` (returned) or `timeout` passes (throws,
    /// listing what came). Sleeps between polls instead of blocking a shared thread.
    @discardableResult
    package func waitFor(
        _ what: String, timeout: Duration = .seconds(10), _ condition: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            while let message = receive(timeout: .zero) {
                if condition(message) { return message }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Failure(description: "no \(what) within \(timeout); received: \(messages)")
    }

    /// The value of `KEY=` in a message, if present.
    package static func value(_ key: String, in message: String) -> String? {
        message.split(separator: "\n").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }
}
