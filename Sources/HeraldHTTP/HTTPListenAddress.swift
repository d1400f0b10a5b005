/// Where the server accepts connections.
package enum HTTPListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// A TCP address: an IPv4 or IPv6 literal or a host name, and a port (0 picks a free one; the
    /// server's `boundAddresses` then tell which).
    case tcp(host: String, port: UInt16)
    /// A unix domain socket. A stale socket file at `path` is removed first; the new one gets the
    /// configured mode (0660 by default) and is removed again when the server stops.
    case unix(path: String)
    /// A socket that is already bound and listening, e.g. passed by systemd socket activation. The
    /// server takes ownership and closes it when it stops.
    case fileDescriptor(Int32)

    /// Parses `host:port`, `[ipv6]:port`, `unix:/path` or `fd:N`.
    ///
    /// - Throws: `HTTPError.invalidAddress` for anything else.
    package init(parsing text: String) throws(HTTPError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw .invalidAddress(text) }
            self = .unix(path: path)
            return
        }
        if text.hasPrefix("fd:") {
            guard let fd = Int32(text.dropFirst(3)), fd >= 0 else { throw .invalidAddress(text) }
            self = .fileDescriptor(fd)
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw .invalidAddress(text)
        }
        var host = text[..<colon]
        if host.hasPrefix("[") {
            guard host.hasSuffix("]") else { throw .invalidAddress(text) }
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            throw .invalidAddress(text)  // an IPv6 literal needs brackets
        }
        self = .tcp(host: String(host), port: port)
    }

    package var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        case .fileDescriptor(let fd): "fd:\(fd)"
        }
    }
}
