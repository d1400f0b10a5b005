import Synchronization

/// Something `CurlDriver` runs on its thread: an HTTP call (`HTTPTransfer`), an SMTP session.
///
/// **Implementation requirements:**
/// - `configure` and `finish` are called on the driver's thread only: `configure` at most once,
///   then `finish` exactly once (also when `configure` failed, the driver could not make a handle,
///   or the transfer was cancelled before it started). The callbacks `configure` installs run on
///   that thread too, between the two, and reach the transfer through a pointer the driver keeps
///   alive until `finish` has returned.
/// - Neither blocks: `finish` resumes whoever waits for the transfer and returns at once, since
///   every other transfer of the process waits while it runs.
/// - libcurl's types stay inside: the handle is a plain pointer and codes are `Int`s (`CURLcode`
///   raw values), so a module using the driver imports libcurl only if it sets options itself.
package protocol CurlTransfer: AnyObject, Sendable {
    /// Set by `CurlDriver.cancel`, read by the driver before it starts the transfer.
    var cancellation: CurlCancellation { get }

    /// Sets the options of `handle`, a fresh easy handle (a `CURL *`).
    ///
    /// - Returns: 0 (`CURLE_OK`) to start the transfer, or the `CURLcode` of the option libcurl
    ///   refused, which ends it before it starts.
    func configure(_ handle: UnsafeMutableRawPointer) -> Int

    /// The transfer is over; `ending.handle` can still be read (`curl_easy_getinfo`) until this
    /// returns, and is cleaned up by the driver afterwards.
    func finish(_ ending: CurlEnding)
}

/// How a transfer ended, for `CurlTransfer.finish`.
package struct CurlEnding {
    /// The easy handle, still valid for `curl_easy_getinfo`; nil when none was made.
    package let handle: UnsafeMutableRawPointer?
    /// libcurl's result (`CURLcode` raw value): 0 when the transfer completed.
    package let code: Int
    /// True when `CurlDriver.cancel` ended it (`code` is then `CURLE_ABORTED_BY_CALLBACK`).
    package let cancelled: Bool
}

/// Whether a transfer's caller gave up; set once, from any thread.
package final class CurlCancellation: Sendable {
    private let requested = Atomic<Bool>(false)

    package init() {}

    /// True when cancellation was asked for.
    package var isRequested: Bool { requested.load(ordering: .acquiring) }

    /// Marks the transfer cancelled; true the first time only.
    func request() -> Bool {
        !requested.exchange(true, ordering: .acquiringAndReleasing)
    }
}
