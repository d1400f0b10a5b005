import Dispatch
import Foundation
import HeraldCore
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One request in flight: starts it, cancels it at its deadline or when the caller's task is
/// cancelled, and remembers which of the two happened. Every cancel is dispatched to a global
/// queue so that it never runs under a lock of the Swift runtime (see `HTTPClient.send`).
final class HTTPClientCall: Sendable {
    /// URLSessionTask and DispatchWorkItem are not marked `Sendable` here, but both are made to
    /// be used from any thread: `resume()`/`cancel()` hop to the session's own queue, and a work
    /// item's `cancel()` is atomic. The handles are only ever used through those methods.
    private struct Handles: @unchecked Sendable {
        let task: URLSessionDataTask
        let timer: DispatchWorkItem
    }

    private struct State {
        var handles: Handles?
        var cancelled = false
        var timedOut = false
        var finished = false
    }

    private let state = Mutex(State())

    /// Whether the request was cancelled because its time ran out.
    var timedOut: Bool { state.withLock { $0.timedOut } }

    /// Resumes `task` and arms the deadline; cancels at once if the caller already gave up.
    func start(_ task: URLSessionDataTask, timeout: Duration) {
        let timer = DispatchWorkItem { [self] in cancel(timedOut: true) }
        let handles = Handles(task: task, timer: timer)
        let cancelledEarly = state.withLock { state -> Bool in
            state.handles = handles
            return state.cancelled
        }
        task.resume()
        if cancelledEarly {
            DispatchQueue.global().async { handles.task.cancel() }
        } else {
            DispatchQueue.global().asyncAfter(
                deadline: .now() + .nanoseconds(Int(clamping: timeout.saturatingNanoseconds)), execute: timer)
        }
    }

    /// Cancels the request (from any thread, without blocking it).
    func cancel(timedOut: Bool) {
        let handles = state.withLock { state -> Handles? in
            guard !state.finished, !state.cancelled else { return nil }
            state.cancelled = true
            state.timedOut = timedOut
            return state.handles
        }
        guard let handles else { return }
        DispatchQueue.global().async { handles.task.cancel() }
    }

    /// Called once the completion handler runs: the timer is no longer needed.
    func finish() {
        let handles = state.withLock { state -> Handles? in
            state.finished = true
            return state.handles
        }
        handles?.timer.cancel()
    }
}
