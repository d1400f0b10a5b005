import Dispatch
import FoundationEssentials
import Glibc

/// Delivers POSIX signals to a handler on a private serial queue instead of in signal context.
///
/// `@unchecked Sendable`: `sources` is set once in `init` and never mutated; dispatch sources
/// may be cancelled from any thread.
final class SignalWatcher: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "herald.signals")
        sources = signals.map { number in
            signal(number, SIG_IGN)  // The dispatch source sees it; the default action must not run.
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
