import Glibc

/// Linux calls that Swift's Glibc module does not import (`sys/epoll.h`, `sys/eventfd.h` and the
/// GNU `accept4`), resolved once from the C library with `dlsym` and called as C function pointers.
/// No C shim target is needed, and the calls keep the C calling convention.
struct LinuxCalls: @unchecked Sendable {
    // @unchecked: the fields are immutable pointers to C functions, safe to call from any thread.
    typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    typealias EpollCtl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias Accept4 = @convention(c) (Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32) -> Int32

    let epollCreate1: EpollCreate1
    let epollCtl: EpollCtl
    let epollWait: EpollWait
    let eventFD: EventFD
    let accept4: Accept4

    static let shared = LinuxCalls()

    private init() {
        epollCreate1 = Self.resolve("epoll_create1")
        epollCtl = Self.resolve("epoll_ctl")
        epollWait = Self.resolve("epoll_wait")
        eventFD = Self.resolve("eventfd")
        accept4 = Self.resolve("accept4")
    }

    private static func resolve<Function>(_ name: String) -> Function {
        // RTLD_DEFAULT is a null handle on glibc.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            fatalError("the C library does not provide \(name)")
        }
        return unsafeBitCast(symbol, to: Function.self)
    }
}

/// epoll constants and the layout of `struct epoll_event` (packed on x86-64, so 12 bytes there).
enum Epoll {
    static let readable: UInt32 = 0x001
    static let writable: UInt32 = 0x004
    static let error: UInt32 = 0x008
    static let hangUp: UInt32 = 0x010
    static let add: Int32 = 1
    static let delete: Int32 = 2
    static let modify: Int32 = 3
    #if arch(x86_64)
        static let eventSize = 12
        static let dataOffset = 4
    #else
        static let eventSize = 16
        static let dataOffset = 8
    #endif
}
