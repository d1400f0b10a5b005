import Glibc

/// Tells systemd what the daemon is doing (`sd_notify(3)`): datagrams to `$NOTIFY_SOCKET`, a
/// filesystem path or an abstract name written `@name`.
///
/// ```swift
/// let notifier = SystemdNotifier.fromEnvironment()      // nil outside a Type=notify unit
/// notifier?.ready(status: "listening on 127.0.0.1:4470")
/// ```
package final class SystemdNotifier: Sendable {
    private let socket: Int32
    private let address: sockaddr_un
    private let addressLength: socklen_t
    /// The socket as given (`/run/systemd/notify`, `@name`).
    package let path: String

    /// A notifier for `$NOTIFY_SOCKET`, or nil when it is not set (not started by systemd with
    /// `Type=notify`) or cannot be used.
    package static func fromEnvironment() -> SystemdNotifier? {
        guard let path = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !path.isEmpty else { return nil }
        return try? SystemdNotifier(path: path)
    }

    /// Opens a datagram socket for sending to `path` (`@name` for an abstract name).
    ///
    /// - Throws: `SystemdError.invalidEnvironment` for an empty, relative or too long path,
    ///   `SystemdError.system` when no socket can be made.
    package init(path: String) throws(SystemdError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        var bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") || bytes.first == UInt8(ascii: "@"), bytes.count < capacity else {
            throw .invalidEnvironment(name: "NOTIFY_SOCKET", value: path)
        }
        let abstract = bytes[0] == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        // An abstract name is exactly its bytes (no terminating NUL); a path includes its NUL.
        self.addressLength = socklen_t(pathOffset + bytes.count + (abstract ? 0 : 1))
        self.address = address
        self.path = path
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", errno: errno) }
        self.socket = fd
    }

    deinit {
        Glibc.close(socket)
    }

    /// Sends `state`, newline-separated `KEY=VALUE` assignments. Returns false when the datagram
    /// could not be sent (systemd went away); a daemon carries on regardless.
    @discardableResult
    package func notify(_ state: String) -> Bool {
        var address = self.address
        let bytes = Array(state.utf8)
        while true {
            let sent = bytes.withUnsafeBytes { buffer in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, addressLength)
                    }
                }
            }
            if sent >= 0 { return true }
            if errno != EINTR { return false }
        }
    }

    /// `READY=1`: start-up is finished (listening, jobs can be stored), or a reload is.
    @discardableResult
    package func ready(status: String? = nil) -> Bool {
        notify("READY=1" + SystemdNotifier.statusLine(status))
    }

    /// `RELOADING=1` with the `MONOTONIC_USEC=` systemd needs to match it to `ExecReload`; send
    /// `ready(status:)` when the reload is over, applied or not.
    @discardableResult
    package func reloading(status: String? = nil) -> Bool {
        notify(
            "RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())"
                + SystemdNotifier.statusLine(status))
    }

    /// `STOPPING=1`: shutting down.
    @discardableResult
    package func stopping(status: String? = nil) -> Bool {
        notify("STOPPING=1" + SystemdNotifier.statusLine(status))
    }

    /// `STATUS=…`: one line shown by `systemctl status`.
    @discardableResult
    package func status(_ text: String) -> Bool {
        notify("STATUS=" + SystemdNotifier.oneLine(text))
    }

    /// `WATCHDOG=1`: the daemon is alive.
    @discardableResult
    package func watchdog() -> Bool {
        notify("WATCHDOG=1")
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock of `MONOTONIC_USEC=`.
    package static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    private static func statusLine(_ status: String?) -> String {
        status.map { "\nSTATUS=" + oneLine($0) } ?? ""
    }

    /// A status must stay one assignment: line breaks would start new ones.
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
