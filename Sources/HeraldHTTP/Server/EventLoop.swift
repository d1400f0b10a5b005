import Glibc
import HeraldCore
import Synchronization

/// The server's event loop: one dedicated thread running epoll over the listeners, the
/// connections and an eventfd that other threads use to hand it responses.
///
/// Level-triggered epoll: a connection is read once per readiness report and epoll reports it
/// again while input remains, so no read has to be repeated until EAGAIN (one read, one write per
/// request in the common case). Interest is changed only when a connection must stop reading
/// (waiting for a deferred response, or a response that did not fit the socket buffer).
final class EventLoop: @unchecked Sendable {
    // @unchecked: `mailbox` and `loopThread` are synchronised; `configuration`, `responder` and the
    // descriptors set in init are immutable; every other property is touched only on the loop
    // thread (between `run()`'s start and end), which `deliver` checks before using `localResponses`.

    struct Delivery {
        var connection: ConnectionID
        var sequence: UInt32
        var response: HTTPResponse
    }

    struct Mailbox {
        var deliveries: [Delivery] = []
        var stopAfter: Duration?
        var wakePending = false
        var closed = false
    }

    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let epoll: FileDescriptor
    let wakeup: FileDescriptor
    let mailbox = Mutex(Mailbox())
    /// The loop thread's pthread id while it runs, 0 otherwise.
    let loopThread = Atomic<UInt>(0)
    /// Answered on every round of the loop; asked by `HTTPServer.isResponsive()`.
    let heartbeat = Heartbeat()

    let listeners: [ListeningSocket]
    var acceptPaused = false
    var connections: [Connection?] = []
    var connectionCount = 0
    var nextGeneration: UInt32 = 1
    var localResponses: [Delivery] = []
    /// The connection whose input is being parsed right now; its finished responses need no resume.
    var processing: Connection?
    var resumeQueue: [Connection] = []
    let readBuffer: UnsafeMutableRawBufferPointer
    let eventBuffer: UnsafeMutableRawBufferPointer
    var encoder = ResponseEncoder()
    var now: UInt64 = 0
    var timerHeads = [Int32](repeating: -1, count: TimerKind.allCases.count)
    var timerTails = [Int32](repeating: -1, count: TimerKind.allCases.count)
    let timerDurations: [UInt64]
    var stopping = false
    var stopDeadline: UInt64 = .max

    static let listenerTagBase: UInt64 = 1 << 62
    static let wakeupTag: UInt64 = 1 << 63
    static let maxEvents = 256

    init(
        configuration: HTTPServerConfiguration, responder: any HTTPResponder, listeners: [ListeningSocket]
    ) throws(HTTPError) {
        self.configuration = configuration
        self.responder = responder
        let epollFD = LinuxCalls.shared.epollCreate1(O_CLOEXEC)
        guard epollFD >= 0 else { throw .system(call: "epoll_create1", errno: errno) }
        epoll = FileDescriptor(epollFD)
        let eventFD = LinuxCalls.shared.eventFD(0, O_NONBLOCK | O_CLOEXEC)
        guard eventFD >= 0 else { throw .system(call: "eventfd", errno: errno) }
        wakeup = FileDescriptor(eventFD)
        self.listeners = listeners
        func nanoseconds(_ duration: Duration) -> UInt64 {
            let (seconds, attoseconds) = duration.components
            return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        }
        var durations = [UInt64](repeating: 0, count: TimerKind.allCases.count)
        durations[TimerKind.header.rawValue] = nanoseconds(configuration.headerReadTimeout)
        durations[TimerKind.body.rawValue] = nanoseconds(configuration.bodyReadTimeout)
        durations[TimerKind.idle.rawValue] = nanoseconds(configuration.keepAliveTimeout)
        durations[TimerKind.write.rawValue] = nanoseconds(configuration.writeTimeout)
        durations[TimerKind.linger.rawValue] = nanoseconds(configuration.lingerTimeout)
        timerDurations = durations
        readBuffer = .allocate(byteCount: 16 * 1024, alignment: 16)
        eventBuffer = .allocate(byteCount: Self.maxEvents * Epoll.eventSize, alignment: 16)
        let wakeFD = wakeup.rawValue
        guard Posix.epollControl(epollFD, Epoll.add, wakeFD, events: Epoll.readable, data: Self.wakeupTag) == 0 else {
            throw .system(call: "epoll_ctl", errno: errno)
        }
        for index in self.listeners.indices {
            let fd = self.listeners[index].rawValue ?? -1
            let code = Posix.epollControl(
                epollFD, Epoll.add, fd, events: Epoll.readable, data: Self.listenerTagBase | UInt64(index))
            guard code == 0 else { throw .system(call: "epoll_ctl", errno: code) }
        }
    }

    deinit {
        readBuffer.deallocate()
        eventBuffer.deallocate()
    }

    // MARK: Other threads

    /// Hands a response to the loop; see `HTTPResponseWriter.respond(_:)`.
    func deliver(_ response: HTTPResponse, to connection: ConnectionID, sequence: UInt32) {
        let delivery = Delivery(connection: connection, sequence: sequence, response: response)
        if loopThread.load(ordering: .acquiring) == UInt(pthread_self()) {
            localResponses.append(delivery)
            return
        }
        mailbox.withLock { box in
            guard !box.closed else { return }
            box.deliveries.append(delivery)
            wake(&box)
        }
    }

    /// Asks the loop to stop accepting and finish within `gracePeriod`.
    func requestStop(within gracePeriod: Duration) {
        mailbox.withLock { box in
            guard !box.closed else { return }
            box.stopAfter = min(box.stopAfter ?? gracePeriod, gracePeriod)
            wake(&box)
        }
    }

    /// Wakes the loop so that it answers its heartbeat even when idle.
    func wakeForHeartbeat() {
        mailbox.withLock { box in
            guard !box.closed else { return }
            wake(&box)
        }
    }

    /// Writes to the eventfd under the mailbox lock, so it cannot race with the loop closing it.
    private func wake(_ box: inout Mailbox) {
        guard !box.wakePending else { return }
        box.wakePending = true
        var one: UInt64 = 1
        while Glibc.write(wakeup.rawValue, &one, 8) < 0 && errno == EINTR {}
    }

    // MARK: The loop

    /// Runs until stopped; call on a dedicated thread.
    func run() {
        loopThread.store(UInt(pthread_self()), ordering: .releasing)
        now = Posix.monotonicNanoseconds()
        encoder.updateDate()
        while !(stopping && (connectionCount == 0 || now >= stopDeadline)) {
            let count = Posix.epollWait(epoll.rawValue, into: eventBuffer, timeoutMilliseconds: nextTimeout())
            now = Posix.monotonicNanoseconds()
            heartbeat.answer()
            encoder.updateDate()
            for index in 0..<count {
                let offset = index * Epoll.eventSize
                let events = eventBuffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
                let tag = eventBuffer.loadUnaligned(fromByteOffset: offset + Epoll.dataOffset, as: UInt64.self)
                handle(events: events, tag: tag)
            }
            resumeWaitingConnections()
            expireTimers()
        }
        shutDown()
    }

    private func handle(events: UInt32, tag: UInt64) {
        if tag == Self.wakeupTag {
            readMailbox()
        } else if tag & Self.listenerTagBase != 0 {
            acceptConnections(listener: Int(tag & 0xFFFF))
        } else {
            let fd = Int(UInt32(truncatingIfNeeded: tag))
            guard fd < connections.count, let connection = connections[fd], connection.id.tag == tag else { return }
            if events & (Epoll.error | Epoll.hangUp) != 0 {
                close(connection)
                return
            }
            if events & Epoll.writable != 0 { flush(connection) }
            if events & Epoll.readable != 0, !connection.isClosed { readable(connection) }
        }
    }

    private func readMailbox() {
        var counter: UInt64 = 0
        _ = Glibc.read(wakeup.rawValue, &counter, 8)
        let (deliveries, stopAfter) = mailbox.withLock { box in
            box.wakePending = false
            let taken = (box.deliveries, box.stopAfter)
            box.deliveries = []
            box.stopAfter = nil
            return taken
        }
        for delivery in deliveries { complete(delivery) }
        if let stopAfter { beginStop(within: stopAfter) }
    }

    private func acceptConnections(listener index: Int) {
        guard let listenFD = listeners[index].rawValue else { return }
        while true {
            switch Posix.accept(listenFD) {
            case .wouldBlock:
                return
            case .failed(let code):
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Level-triggered listeners would spin; listen again once a connection closes.
                    pauseAccepting()
                }
                return
            case .done(let accepted):
                let fd = Int32(accepted)
                if connectionCount >= configuration.maxConnections {
                    refuse(fd)
                    continue
                }
                open(fd)
            }
        }
    }

    private static let busyResponse = Array(
        ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 24\r\n"
            + "Connection: close\r\n\r\n{\"error\":\"server busy\"}\n").utf8)

    /// Answers 503 at once (best effort, without waiting for the socket) and closes.
    private func refuse(_ fd: Int32) {
        configuration.responseObserver?(503)
        let descriptor = FileDescriptor(fd)
        Self.busyResponse.withUnsafeBytes { _ = Posix.send(fd, $0, UnsafeRawBufferPointer(start: nil, count: 0)) }
        descriptor.close()
    }

    private func open(_ fd: Int32) {
        let id = ConnectionID(fd: fd, generation: nextGeneration)
        nextGeneration = nextGeneration == UInt32(Int32.max) ? 1 : nextGeneration + 1
        let connection = Connection(id: id, descriptor: FileDescriptor(fd), limits: configuration.limits)
        _ = Posix.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)  // fails harmlessly on unix sockets
        if Int(fd) >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count))
        }
        connections[Int(fd)] = connection
        connectionCount += 1
        guard Posix.epollControl(epoll.rawValue, Epoll.add, fd, events: Epoll.readable, data: id.tag) == 0 else {
            close(connection)
            return
        }
        connection.interest = Epoll.readable
        if stopping { connection.keepAlive = false }
        arm(connection, .header)
    }

    private func pauseAccepting() {
        guard !acceptPaused else { return }
        acceptPaused = true
        for index in listeners.indices {
            guard let fd = listeners[index].rawValue else { continue }
            _ = Posix.epollControl(epoll.rawValue, Epoll.delete, fd, events: 0, data: 0)
        }
    }

    func resumeAccepting() {
        guard acceptPaused, !stopping else { return }
        acceptPaused = false
        for index in listeners.indices {
            guard let fd = listeners[index].rawValue else { continue }
            _ = Posix.epollControl(
                epoll.rawValue, Epoll.add, fd, events: Epoll.readable, data: Self.listenerTagBase | UInt64(index))
        }
    }

    // MARK: Stopping

    private func beginStop(within gracePeriod: Duration) {
        let (seconds, attoseconds) = gracePeriod.components
        let delay = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        stopDeadline = min(stopDeadline, now &+ delay)
        guard !stopping else { return }
        stopping = true
        closeListeners()
        for case let connection? in connections {
            connection.keepAlive = false
            // Idle connections close now; those in the middle of a request finish it first.
            if connection.phase == .idle && !connection.hasPendingOutput && connection.pendingInput.isEmpty {
                close(connection)
            }
        }
    }

    private func closeListeners() {
        for index in listeners.indices {
            listeners[index].close()
        }
    }

    private func shutDown() {
        for case let connection? in connections { close(connection) }
        closeListeners()
        loopThread.store(0, ordering: .releasing)
        mailbox.withLock { box in
            box.closed = true
            box.deliveries = []
        }
    }

    private func nextTimeout() -> Int32 {
        var earliest = stopping ? stopDeadline : UInt64.max
        for head in timerHeads where head >= 0 {
            if let connection = connections[Int(head)] { earliest = min(earliest, connection.deadline) }
        }
        if !localResponses.isEmpty || !resumeQueue.isEmpty { return 0 }
        guard earliest != .max else { return -1 }
        guard earliest > now else { return 0 }
        let milliseconds = (earliest - now + 999_999) / 1_000_000
        return Int32(min(milliseconds, 60_000))
    }
}
