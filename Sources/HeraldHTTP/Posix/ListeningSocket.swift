import Glibc

/// A bound, listening, non-blocking socket; the single owner of its descriptor.
final class ListeningSocket {
    private var descriptor: FileDescriptor?
    /// The address actually bound (with the real port when port 0 was asked for).
    let address: HTTPListenAddress
    /// The socket file to remove when closing, for unix sockets this process created.
    private let unixPath: String?

    /// The descriptor number, nil once closed.
    var rawValue: Int32? { descriptor?.rawValue }

    /// Creates the socket for `address`.
    ///
    /// - Throws: `HTTPError.invalidAddress` or `HTTPError.system`.
    static func open(
        _ address: HTTPListenAddress, backlog: Int32, unixMode: mode_t
    ) throws(HTTPError) -> ListeningSocket {
        switch address {
        case .tcp(let host, let port): try tcp(host: host, port: port, backlog: backlog)
        case .unix(let path): try unix(path: path, backlog: backlog, mode: unixMode)
        case .fileDescriptor(let fd): try inherited(fd)
        }
    }

    private init(descriptor: consuming FileDescriptor, address: HTTPListenAddress, unixPath: String?) {
        self.descriptor = consume descriptor
        self.address = address
        self.unixPath = unixPath
    }

    /// Closes the socket (and removes its unix socket file); later calls do nothing.
    func close() {
        guard let descriptor = descriptor.take() else { return }
        if let unixPath { unlink(unixPath) }
        descriptor.close()
    }

    deinit {
        close()
    }

    private static func tcp(host: String, port: UInt16, backlog: Int32) throws(HTTPError) -> ListeningSocket {
        var storage = sockaddr_storage()
        let length = try resolve(host: host, port: port, into: &storage)
        let family = Int32(storage.ss_family)
        let fd = try socketDescriptor(family: family)
        _ = Posix.setOption(fd.rawValue, SOL_SOCKET, SO_REUSEADDR, 1)
        if family == AF_INET6 {
            // So that `[::]` and `0.0.0.0` on the same port can both be listened on.
            _ = Posix.setOption(fd.rawValue, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1)
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd.rawValue, $0, length) }
        }
        guard bound == 0 else { throw .system(call: "bind \(host):\(port)", errno: errno) }
        guard listen(fd.rawValue, backlog) == 0 else { throw .system(call: "listen", errno: errno) }
        let address = try localAddress(of: fd.rawValue)
        return ListeningSocket(descriptor: fd, address: address, unixPath: nil)
    }

    private static func unix(path: String, backlog: Int32, mode: mode_t) throws(HTTPError) -> ListeningSocket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw .invalidAddress("unix:\(path) (path too long)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
        }
        var status = stat()
        if lstat(path, &status) == 0 {
            // Only a socket is stale; refuse to delete anything else.
            guard status.st_mode & S_IFMT == S_IFSOCK else { throw .system(call: "bind unix:\(path)", errno: EEXIST) }
            unlink(path)
        }
        let fd = try socketDescriptor(family: AF_UNIX)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw .system(call: "bind unix:\(path)", errno: errno) }
        guard chmod(path, mode) == 0 else {
            let code = errno
            unlink(path)
            throw .system(call: "chmod \(path)", errno: code)
        }
        guard listen(fd.rawValue, backlog) == 0 else {
            let code = errno
            unlink(path)
            throw .system(call: "listen", errno: code)
        }
        return ListeningSocket(descriptor: fd, address: .unix(path: path), unixPath: path)
    }

    private static func inherited(_ raw: Int32) throws(HTTPError) -> ListeningSocket {
        let fd = FileDescriptor(raw)
        let flags = fcntl(raw, F_GETFL)
        guard flags >= 0, fcntl(raw, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .system(call: "fcntl fd:\(raw)", errno: errno)
        }
        _ = fcntl(raw, F_SETFD, FD_CLOEXEC)
        let address = try localAddress(of: raw)
        return ListeningSocket(descriptor: fd, address: address, unixPath: nil)
    }

    private static func socketDescriptor(family: Int32) throws(HTTPError) -> FileDescriptor {
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = socket(family, type, 0)
        guard fd >= 0 else { throw .system(call: "socket", errno: errno) }
        return FileDescriptor(fd)
    }

    /// Fills `storage` from a numeric address, or from a name via getaddrinfo; "" and "*" mean any.
    private static func resolve(
        host: String, port: UInt16, into storage: inout sockaddr_storage
    ) throws(HTTPError) -> socklen_t {
        let name = host.isEmpty || host == "*" ? "0.0.0.0" : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, String(port), &hints, &results) == 0, let first = results else {
            throw .invalidAddress("\(host):\(port) (cannot resolve the host)")
        }
        defer { freeaddrinfo(results) }
        let length = first.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(length)))
        }
        return length
    }

    /// The bound address of a listening socket, as an `HTTPListenAddress`.
    static func localAddress(of fd: Int32) throws(HTTPError) -> HTTPListenAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { throw .system(call: "getsockname", errno: errno) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var ip = address.pointee.sin_addr
                    inet_ntop(AF_INET, &ip, &text, socklen_t(text.count))
                    return .tcp(
                        host: String(decoding: text.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self),
                        port: UInt16(bigEndian: address.pointee.sin_port))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var ip = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count))
                    return .tcp(
                        host: String(decoding: text.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self),
                        port: UInt16(bigEndian: address.pointee.sin6_port))
                }
            }
        case AF_UNIX:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { address in
                    let path = withUnsafeBytes(of: address.pointee.sun_path) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    return .unix(path: path)
                }
            }
        default:
            throw .invalidAddress("fd:\(fd) (not an inet or unix socket)")
        }
    }
}
