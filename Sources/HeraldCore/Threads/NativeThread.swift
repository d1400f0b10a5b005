import Glibc

/// A POSIX thread of Herald's own for blocking work that must never run on Swift's shared
/// threads: libcurl's multi loop, the spool's writer and compactor, libpq's loops.
///
/// Foundation's `Thread` without Foundation: Herald links FoundationEssentials only, which keeps
/// ICU's 34 MB of data out of the binary and the container image.
package enum NativeThread {
    /// Starts `body` on a new detached thread named `name` (Linux keeps the first 15 bytes, which
    /// `top -H` and `/proc/PID/task/*/comm` show).
    ///
    /// A thread that cannot be created (the process is out of threads or memory) stops the
    /// process with that reason, as Foundation's `Thread.start()` does: nothing Herald could do
    /// without its writer or its HTTP client would be correct.
    package static func start(named name: String, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            let body = Unmanaged<Body>.fromOpaque(context).takeRetainedValue()
            // Named from inside, before any of its work: whatever the body logs or shows in
            // /proc already carries the name.
            _ = NativeThread.setName?(pthread_self(), String(decoding: body.name.utf8.prefix(15), as: UTF8.self))
            body.run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            fatalError("cannot start the thread \(name): \(String(cString: strerror(status)))")
        }
    }

    /// glibc's `pthread_setname_np`, which Swift's Glibc module leaves out (it is a GNU extension).
    private typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    private static let setName: SetName? = dlsym(nil, "pthread_setname_np").map {
        unsafeBitCast($0, to: SetName.self)
    }

    /// Blocks the calling thread (one of ours, never a shared one) for `duration`.
    package static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(max(seconds, 0)), tv_nsec: Int(max(attoseconds, 0) / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1, errno == EINTR { request = remaining }
    }

    private final class Body: Sendable {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }
}
