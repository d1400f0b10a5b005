import Glibc
import HeraldHTTP

/// Sockets passed by systemd socket activation (`sd_listen_fds(3)`): `LISTEN_PID` must be this
/// process, `LISTEN_FDS` says how many descriptors from 3 on, `LISTEN_FDNAMES` names them
/// (`FileDescriptorName=` in the .socket unit).
package enum SocketActivation {
    /// One passed socket.
    package struct Socket: Sendable, Equatable {
        package let fd: Int32
        package let name: String

        /// The server listens on it as it is (it is already bound and listening).
        package var address: HTTPListenAddress { .fileDescriptor(fd) }
    }

    /// The first descriptor systemd passes (`SD_LISTEN_FDS_START`).
    package static let firstDescriptor: Int32 = 3

    /// Reads the variables without touching any descriptor: empty when they are absent or meant
    /// for another process.
    ///
    /// - Throws: `SystemdError.invalidEnvironment` for values that are not numbers.
    package static func parse(_ environment: [String: String], pid: Int32) throws(SystemdError) -> [Socket] {
        guard let pidText = environment["LISTEN_PID"], let countText = environment["LISTEN_FDS"] else { return [] }
        guard let owner = Int32(pidText) else { throw .invalidEnvironment(name: "LISTEN_PID", value: pidText) }
        guard owner == pid else { return [] }
        guard let count = Int32(countText), count >= 0, count < 4096 else {
            throw .invalidEnvironment(name: "LISTEN_FDS", value: countText)
        }
        let names =
            environment["LISTEN_FDNAMES"].map { $0.split(separator: ":", omittingEmptySubsequences: false) } ?? []
        return (0..<count).map { index in
            let name = Int(index) < names.count ? String(names[Int(index)]) : "unknown"
            return Socket(fd: firstDescriptor + index, name: name)
        }
    }

    /// Takes the sockets passed to this process: checks that each is a listening stream socket,
    /// marks it close-on-exec, and removes the variables so that no child inherits them.
    ///
    /// - Throws: `SystemdError` for bad variables or a descriptor that is not a listening stream
    ///   socket (a .socket unit with `ListenDatagram=` or `Accept=yes`).
    package static func take(_ environment: [String: String], pid: Int32 = getpid()) throws(SystemdError) -> [Socket] {
        let sockets = try parse(environment, pid: pid)
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        for socket in sockets { try prepare(socket.fd) }
        return sockets
    }

    /// Marks `fd` close-on-exec and checks that it is a listening stream socket.
    ///
    /// - Throws: `SystemdError.notAListeningSocket`, or `.system` when `fcntl` fails (not open).
    static func prepare(_ fd: Int32) throws(SystemdError) {
        guard fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 else { throw .system(call: "fcntl fd \(fd)", errno: errno) }
        guard option(fd, SO_TYPE) == Int32(SOCK_STREAM.rawValue), option(fd, SO_ACCEPTCONN) == 1 else {
            throw .notAListeningSocket(fd: fd)
        }
    }

    private static func option(_ fd: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 else { return nil }
        return value
    }
}
