internal import CCurl
import FoundationEssentials
import HeraldCore
import Synchronization

/// Runs every libcurl transfer of the process (the plugins' HTTP calls, the smtp plugin's
/// sessions) on one dedicated thread, through one multi handle: one connection cache, so
/// connections are reused per host and HTTP/2 streams share a connection, whatever the number of
/// actions and reloads.
///
/// Callers hand transfers over through a bounded, lock-protected inbox and wake the thread with
/// `curl_multi_wakeup`; the thread sleeps in `curl_multi_poll` until a socket is ready, a timer of
/// libcurl's is due or a caller wakes it, so a thousand calls waiting on silent peers cost
/// nothing. It is neither a Dispatch source nor a thread of Swift's cooperative pool, which must
/// never block. The thread starts with the first transfer, not in the initialiser.
///
/// ```swift
/// guard CurlDriver.shared.submit(transfer) else { /* busy: resume the caller, nothing was sent */ }
/// // on cancellation:
/// CurlDriver.shared.cancel(transfer)
/// ```
package final class CurlDriver: Sendable {
    /// The process' driver. One per process is the point: libcurl's global state is the
    /// process', and one connection cache serves every action.
    package static let shared = CurlDriver()

    /// How many transfers may wait or run at once by default: above `delivery.concurrency`'s
    /// limit (1,024) with room for `herald doctor`'s and the smtp plugin's.
    package static let defaultCapacity = 4096

    private struct Inbox {
        var commands: [Command] = []
        /// Transfers submitted and not finished yet.
        var admitted = 0
        /// True while the thread sleeps (or is about to) in `curl_multi_poll`: the next command
        /// must wake it.
        var sleeping = false
        var started = false
    }

    enum Command {
        case start(any CurlTransfer)
        case cancel(any CurlTransfer)
    }

    private let multi: CurlMultiHandle
    private let inbox = Mutex(Inbox())
    private let capacity: Int

    /// - Parameters:
    ///   - capacity: how many transfers may wait or run at once; `submit` refuses more.
    ///   - maximumHostConnections: connections open to one host at once (libcurl queues
    ///     transfers beyond it until one is free). The scheduler bounds the calls in flight
    ///     (`delivery.concurrency`, at most 1,024), so this is a backstop at that bound.
    ///   - maximumIdleConnections: connections kept open for reuse once their transfer ended
    ///     (CURLMOPT_MAXCONNECTS); enough for every attempt in flight to find one.
    package init(
        capacity: Int = defaultCapacity, maximumHostConnections: Int = 1024, maximumIdleConnections: Int = 1024
    ) {
        self.capacity = capacity
        multi = CurlMultiHandle(
            maximumHostConnections: maximumHostConnections, maximumIdleConnections: maximumIdleConnections)
    }

    /// Hands `transfer` to the driver's thread, which configures and starts it and calls its
    /// `finish` once.
    ///
    /// - Returns: false, without calling anything of `transfer`, when `capacity` transfers are
    ///   already waiting or running (or libcurl could not be set up): the caller reports that
    ///   nothing was sent.
    package func submit(_ transfer: any CurlTransfer) -> Bool {
        guard multi.handle != nil else { return false }
        let (accepted, wake, start) = inbox.withLock { inbox -> (Bool, Bool, Bool) in
            guard inbox.admitted < capacity else { return (false, false, false) }
            inbox.admitted += 1
            inbox.commands.append(.start(transfer))
            let start = !inbox.started
            inbox.started = true
            let wake = inbox.sleeping
            inbox.sleeping = false
            return (true, wake, start)
        }
        if start { startThread() }
        if wake { multi.wakeUp() }
        return accepted
    }

    /// Ends `transfer` as cancelled: the driver removes it from libcurl (closing its connection
    /// when it was under way) and calls its `finish` with `cancelled`. Safe from any thread, at
    /// any time, more than once; a transfer that already finished is left alone.
    package func cancel(_ transfer: any CurlTransfer) {
        guard transfer.cancellation.request(), multi.handle != nil else { return }
        let wake = inbox.withLock { inbox -> Bool in
            // Not counted against the capacity: at most one per admitted transfer.
            inbox.commands.append(.cancel(transfer))
            let wake = inbox.sleeping
            inbox.sleeping = false
            return wake
        }
        if wake { multi.wakeUp() }
    }

    /// Called by the loop: moves the commands since the last call into `buffer` (emptied
    /// first). Swapping the arrays keeps both buffers allocated from one turn to the next.
    func take(into buffer: inout [Command]) {
        buffer.removeAll(keepingCapacity: true)
        inbox.withLock { inbox in
            inbox.sleeping = false
            swap(&buffer, &inbox.commands)
        }
    }

    /// Called by the loop just before a transfer's `finish`: its place is free again by the time
    /// its caller resumes.
    func release() {
        inbox.withLock { $0.admitted -= 1 }
    }

    /// Called by the loop before it sleeps: true (and marked sleeping) when no command waits.
    func prepareToSleep() -> Bool {
        inbox.withLock { inbox in
            guard inbox.commands.isEmpty else { return false }
            inbox.sleeping = true
            return true
        }
    }

    private func startThread() {
        guard let handle = multi.handle else { return }
        let loop = CurlDriverLoop(driver: self, multi: handle)
        NativeThread.start(named: "herald-curl") { loop.run() }
    }
}

/// The multi handle. libcurl allows `curl_multi_wakeup` from any thread; everything else is
/// called by the driver's thread only (after `init`, which runs before the thread exists).
struct CurlMultiHandle: @unchecked Sendable {
    /// libcurl's global state, set up once before the first handle.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// nil when libcurl could not be initialised; `submit` then refuses every transfer.
    let handle: UnsafeMutableRawPointer?

    init(maximumHostConnections: Int, maximumIdleConnections: Int) {
        guard Self.initialized, let multi = curl_multi_init() else {
            handle = nil
            return
        }
        // HTTP/2 streams of several transfers share one connection when the peer offers it.
        _ = herald_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, herald_curlpipe_multiplex)
        _ = herald_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maximumHostConnections)
        _ = herald_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maximumIdleConnections)
        handle = multi
    }

    func wakeUp() {
        if let handle { _ = curl_multi_wakeup(handle) }
    }
}
