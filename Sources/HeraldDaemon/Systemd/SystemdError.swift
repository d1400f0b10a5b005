import Glibc

/// What can go wrong talking to systemd or taking the sockets it passed.
package enum SystemdError: Error, Equatable, CustomStringConvertible {
    /// A variable systemd sets has a value Herald cannot use.
    case invalidEnvironment(name: String, value: String)
    /// A system call failed.
    case system(call: String, errno: Int32)
    /// A passed descriptor is not a listening stream socket.
    case notAListeningSocket(fd: Int32)

    package var description: String {
        switch self {
        case .invalidEnvironment(let name, let value): "\(name)=\(value) is not valid"
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .notAListeningSocket(let fd): "fd \(fd) passed by systemd is not a listening stream socket"
        }
    }
}
