import Glibc

/// A POSIX mutex with its condition variable, for threads of Herald's own (`NativeThread`) that
/// wait for one another: Foundation's `NSCondition` without Foundation.
///
/// `lock()`/`unlock()` guard whatever state the owner says; `wait()` is called with the lock held
/// and in a loop over that state's predicate, as with every condition variable.
package final class NativeCondition: @unchecked Sendable {
    // @unchecked: the pthread objects are made for sharing between threads; they live at fixed
    // addresses (allocated here, never moved) as POSIX requires.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        // Timed waits count on the monotonic clock: setting the wall clock moves no deadline.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }
    /// Releases the lock, sleeps until woken, and holds the lock again on return.
    package func wait() { pthread_cond_wait(condition, mutex) }
    /// `wait()` for at most `timeout`; false when the time ran out.
    @discardableResult
    package func wait(for timeout: Duration) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(now.tv_nsec) + Int(max(attoseconds, 0) / 1_000_000_000)
        var deadline = timespec(
            tv_sec: now.tv_sec + Int(max(seconds, 0)) + nanoseconds / 1_000_000_000,
            tv_nsec: nanoseconds % 1_000_000_000)
        return pthread_cond_timedwait(condition, mutex, &deadline) != ETIMEDOUT
    }
    package func signal() { pthread_cond_signal(condition) }
    package func broadcast() { pthread_cond_broadcast(condition) }
}
