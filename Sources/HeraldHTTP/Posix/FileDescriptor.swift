import Glibc

/// A file descriptor with a single owner: closed exactly once, by `close()` or when dropped.
struct FileDescriptor: ~Copyable {
    let rawValue: Int32

    init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Closes the descriptor. `close` is not retried on EINTR: Linux always releases the descriptor.
    consuming func close() {
        _ = Glibc.close(rawValue)
        discard self
    }

    deinit {
        _ = Glibc.close(rawValue)
    }
}

/// Thin wrappers over system calls: each retries EINTR and reports other failures as `errno`.
enum Posix {
    /// The result of a non-blocking read or write.
    enum IOResult {
        case done(Int)
        case wouldBlock
        case failed(Int32)
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return .done(count) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(code)
            }
        }
    }

    /// Sends up to two buffers with one `sendmsg` (a gather write), never raising SIGPIPE.
    static func send(_ fd: Int32, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> IOResult {
        var vectors = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
        )
        return withUnsafeMutableBytes(of: &vectors) { raw in
            var message = msghdr()
            message.msg_iov = raw.baseAddress?.assumingMemoryBound(to: iovec.self)
            message.msg_iovlen = second.isEmpty ? 1 : 2
            while true {
                let count = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                if count >= 0 { return .done(count) }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return .wouldBlock
                case let code: return .failed(code)
                }
            }
        }
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket.
    static func accept(_ fd: Int32) -> IOResult {
        while true {
            let accepted = LinuxCalls.shared.accept4(
                fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
            if accepted >= 0 { return .done(Int(accepted)) }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(code)
            }
        }
    }

    static func epollControl(_ epoll: Int32, _ operation: Int32, _ fd: Int32, events: UInt32, data: UInt64) -> Int32 {
        var event = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &event) { raw in
            raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: data, toByteOffset: Epoll.dataOffset, as: UInt64.self)
            while true {
                if LinuxCalls.shared.epollCtl(epoll, operation, fd, raw.baseAddress) == 0 { return 0 }
                if errno != EINTR { return errno }
            }
        }
    }

    /// Waits for events; returns how many were stored (0 on EINTR, so the caller re-checks timers).
    static func epollWait(_ epoll: Int32, into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32) -> Int
    {
        let capacity = Int32(buffer.count / Epoll.eventSize)
        let count = LinuxCalls.shared.epollWait(epoll, buffer.baseAddress, capacity, timeoutMilliseconds)
        return count < 0 ? 0 : Int(count)
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// The monotonic clock in nanoseconds.
    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}
