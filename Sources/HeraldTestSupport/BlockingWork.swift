import Foundation

/// Runs blocking work (a subprocess to its end, Python) on a thread of its own and awaits it, so
/// that a test never holds one of the cooperative pool's threads — on a 2-core machine there are
/// two, and the other tests' timers and signals wait behind them.
///
/// ```swift
/// let result = try await BlockingWork.run { try HeraldProcess.run(["dead", "list"], in: directory) }
/// ```
package enum BlockingWork {
    /// `work`'s result, computed on a new thread.
    ///
    /// - Throws: what `work` throws.
    package static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "herald-test-blocking"
            thread.start()
        }
    }
}
