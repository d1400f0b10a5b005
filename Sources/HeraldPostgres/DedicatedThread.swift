import FoundationEssentials
import HeraldCore

/// Blocking libpq work (a LISTEN loop, the intake's transactions) on a thread of its own, never
/// on Swift's shared threads, awaited as a service's `run()`.
enum DedicatedThread {
    /// Runs `body` on a new thread named `name`; returns when it has returned.
    static func run(named name: String, _ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            NativeThread.start(named: name) {
                body()
                continuation.resume()
            }
        }
    }
}
