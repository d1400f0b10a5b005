import Dispatch
import FoundationEssentials
import HeraldCore
import Glibc
import Synchronization

/// An HTTP/1.1 server running its own event-loop thread (never Swift's cooperative pool).
///
/// ```swift
/// let server = HTTPServer(
///     configuration: HTTPServerConfiguration(listeners: [.tcp(host: "127.0.0.1", port: 0)]),
///     responder: MyResponder())
/// try server.start()
/// print(server.boundAddresses)             // the real port
/// server.stop(deadline: .now + .seconds(5))
/// server.waitUntilStopped()
/// ```
package final class HTTPServer: Sendable {
    private enum Phase {
        case created
        case running(EventLoop, [HTTPListenAddress])
        case stopped([HTTPListenAddress])
    }

    private struct State {
        var phase = Phase.created
        var waiters: [CheckedContinuation<Void, Never>] = []
        var blockedWaiters: [DispatchSemaphore] = []
    }

    package let configuration: HTTPServerConfiguration
    private let responder: any HTTPResponder
    private let state = Mutex(State())

    package init(configuration: HTTPServerConfiguration, responder: some HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
    }

    /// Binds every listener and starts the event-loop thread. Returns once the listeners accept.
    ///
    /// - Throws: `HTTPError` when a listener cannot be opened (nothing is left open then), or when
    ///   the server was already started.
    package func start() throws(HTTPError) {
        signal(SIGPIPE, SIG_IGN)
        let result: Result<EventLoop, HTTPError> = state.withLock { state in
            guard case .created = state.phase else { return .failure(.system(call: "start", errno: EALREADY)) }
            do throws(HTTPError) {
                var sockets: [ListeningSocket] = []
                for address in configuration.listeners {
                    sockets.append(
                        try ListeningSocket.open(
                            address, backlog: configuration.backlog, unixMode: configuration.unixSocketMode))
                }
                let loop = try EventLoop(configuration: configuration, responder: responder, listeners: sockets)
                state.phase = .running(loop, sockets.map(\.address))
                return .success(loop)
            } catch {
                return .failure(error)
            }
        }
        let loop = try result.get()
        NativeThread.start(named: "herald-http") { [self] in
            loop.run()
            finished()
        }
    }

    /// The addresses the listeners are bound to, with real port numbers; empty before `start()`.
    package var boundAddresses: [HTTPListenAddress] {
        state.withLock { state in
            switch state.phase {
            case .created: []
            case .running(_, let addresses), .stopped(let addresses): addresses
            }
        }
    }

    /// True when the event loop came round since the previous call (each call wakes it, so an idle
    /// loop answers too); false when the server is not running. For the systemd watchdog.
    package func isResponsive() -> Bool {
        let loop: EventLoop? = state.withLock { state in
            if case .running(let loop, _) = state.phase { return loop }
            return nil
        }
        guard let loop else { return false }
        return loop.heartbeat.check { loop.wakeForHeartbeat() }
    }

    /// Stops accepting at once, lets requests in flight be read and answered (closing each
    /// connection after its current response; idle ones close now), and closes whatever remains
    /// at `deadline`. Returns immediately; `run()` and `waitUntilStopped()` return once stopped.
    package func stop(deadline: ContinuousClock.Instant) {
        let grace = max(.zero, ContinuousClock.now.duration(to: deadline))
        let loop: EventLoop? = state.withLock { state in
            switch state.phase {
            case .created:
                state.phase = .stopped([])
                return nil
            case .running(let loop, _): return loop
            case .stopped: return nil
            }
        }
        guard let loop else {
            finished()
            return
        }
        loop.requestStop(within: grace)
    }

    /// Starts the server if needed and suspends until it has stopped. Cancelling the task stops
    /// the server with a five-second grace period.
    package func run() async throws {
        let needsStart = state.withLock { state in
            if case .created = state.phase { return true }
            return false
        }
        if needsStart { try start() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state in
                    if case .stopped = state.phase { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            stop(deadline: .now + .seconds(5))
        }
    }

    /// Blocks the calling thread until the server has stopped (for programs without async `main`).
    package func waitUntilStopped() {
        let semaphore = DispatchSemaphore(value: 0)
        let done = state.withLock { state in
            if case .stopped = state.phase { return true }
            state.blockedWaiters.append(semaphore)
            return false
        }
        if !done { semaphore.wait() }
    }

    private func finished() {
        let (waiters, blocked) = state.withLock { state in
            if case .running(_, let addresses) = state.phase { state.phase = .stopped(addresses) }
            let taken = (state.waiters, state.blockedWaiters)
            state.waiters = []
            state.blockedWaiters = []
            return taken
        }
        for waiter in waiters { waiter.resume() }
        for semaphore in blocked { semaphore.signal() }
    }
}
