import FoundationEssentials
import HeraldCore

/// Herald's one HTTP client: libcurl, driven by Herald (`CurlDriver`), with Herald's limits.
///
/// - Redirects are never followed: a 3xx comes back as the answer, so a request (its
///   credentials, its body) goes to the configured URL and nowhere else.
/// - Every answer is read within its `HTTPAnswerLimit` (1 MiB by default), enforced while reading;
///   nothing is decompressed (no `Accept-Encoding` is sent).
/// - TLS is verified against the system's CA store; HTTP/2 is used where the peer offers it, its
///   streams sharing one connection; connections are reused per host, across every client.
/// - A call is bounded by its timeout (connecting by `connectTimeout`), and cancelling the
///   calling task ends it at once.
///
/// A client holds no connection or thread of its own: it is a configuration, cheap to make and
/// copy; an HTTP action plugin keeps one per action.
///
/// ```swift
/// let client = HTTPClient(HTTPClient.Configuration(timeout: settings.timeout))
/// let request = HTTPClientRequest("POST", url, headers: [("Content-Type", "application/json")], body: bytes)
/// let response = try await client.send(request, timeout: timeout)
/// ```
package struct HTTPClient: Sendable {
    /// What the plugins' clients differ in.
    package struct Configuration: Sendable {
        /// The longest any call of this client may take; `send` can ask for less.
        package var timeout: Duration
        /// The longest connecting (name lookup, TCP and TLS handshakes) may take, within `timeout`.
        package var connectTimeout: Duration
        /// How much of an answer is read, unless a request says otherwise.
        package var answerLimit: HTTPAnswerLimit
        /// A PEM file of CA certificates to trust instead of the system's store; nil (the
        /// default) for the system's.
        package var caFile: String?
        /// How many of this client's calls may be in flight at once (more wait their turn, and
        /// the wait counts against their timeout); nil for no limit of the client's own, as the
        /// scheduler bounds attempts (`delivery.concurrency`, an action's `concurrency`).
        package var maximumInFlight: Int?

        /// - Parameters:
        ///   - timeout: the longest any call may take.
        ///   - connectTimeout: the longest connecting may take (10 s by default).
        ///   - answerLimit: how much of an answer is read (`HTTPAnswerLimit.apiAnswer` by default).
        ///   - caFile: CA certificates to trust instead of the system's, nil for the system's.
        ///   - maximumInFlight: the most calls of this client at once, nil for no limit.
        package init(
            timeout: Duration, connectTimeout: Duration = .seconds(10), answerLimit: HTTPAnswerLimit = .apiAnswer,
            caFile: String? = nil, maximumInFlight: Int? = nil
        ) {
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.answerLimit = answerLimit
            self.caFile = caFile
            self.maximumInFlight = maximumInFlight
        }
    }

    private let configuration: Configuration
    private let driver: CurlDriver
    private let gate: HTTPCallGate?

    /// - Parameters:
    ///   - configuration: the client's limits.
    ///   - driver: the driver that runs the calls; the process' one unless a test wants its own.
    package init(_ configuration: Configuration, driver: CurlDriver) {
        self.configuration = configuration
        self.driver = driver
        gate = configuration.maximumInFlight.map(HTTPCallGate.init(limit:))
    }

    /// A client on the process' driver.
    package init(_ configuration: Configuration) {
        self.init(configuration, driver: .shared)
    }

    /// Sends `request` and reads the answer; the whole exchange is bounded by `timeout` (and the
    /// configuration's), and cancelling the calling task ends it at once. Within a delivery
    /// attempt (`OutboundTrace.current`), the request carries the attempt's `traceparent` and
    /// `tracestate` unless it names them itself.
    ///
    /// - Throws: `HTTPClientError` when there is no answer to give: none came, it was over its
    ///   limit, or the request could not be sent. `HTTPClientFailure` reads it.
    package func send(_ request: HTTPClientRequest, timeout: Duration) async throws(HTTPClientError)
        -> HTTPClientResponse
    {
        let lines: [String]
        switch Self.headerLines(request, trace: OutboundTrace.current) {
        case .success(let checked): lines = checked
        case .failure(let error): throw error
        }
        var timeout = min(timeout, configuration.timeout)
        guard let gate else { return try await perform(request, headerLines: lines, timeout: timeout) }
        let waiting = ContinuousClock.now
        guard let ticket = await gate.enter() else { throw HTTPClientError(.cancelled, mayHaveSent: false) }
        defer { gate.leave(ticket) }
        timeout -= ContinuousClock.now - waiting
        guard timeout > .zero else { throw HTTPClientError(.timedOut, mayHaveSent: false) }
        return try await perform(request, headerLines: lines, timeout: timeout)
    }

    /// Hands the call to the driver and waits for its end, or cancels it.
    private func perform(_ request: HTTPClientRequest, headerLines lines: [String], timeout: Duration)
        async throws(HTTPClientError) -> HTTPClientResponse
    {
        let transfer = HTTPTransfer(
            request, headerLines: lines, limit: request.answerLimit ?? configuration.answerLimit, timeout: timeout,
            connectTimeout: configuration.connectTimeout, caFile: configuration.caFile)
        let driver = driver
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: HTTPTransfer.Continuation) in
                transfer.continuation = continuation
                if !driver.submit(transfer) {
                    transfer.continuation = nil
                    continuation.resume(returning: .failure(HTTPClientError(.busy, mayHaveSent: false)))
                }
            }
        } onCancel: {
            driver.cancel(transfer)
        }
        return try result.get()
    }

    /// The request's header lines for libcurl, after checking that none can end early or add a
    /// field (a CR, LF or NUL), and with the fields libcurl would add on its own switched off:
    /// `Expect: 100-continue` (a round trip per large body) and a form `Content-Type`; with
    /// `trace`, `traceparent` (and `tracestate`) naming it, unless the request has its own.
    static func headerLines(_ request: HTTPClientRequest, trace: TraceContext? = nil)
        -> Result<[String], HTTPClientError>
    {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(Self.isTokenByte) else {
            return .failure(HTTPClientError(.invalidRequest("the method is not an HTTP token"), mayHaveSent: false))
        }
        var lines: [String] = []
        lines.reserveCapacity(request.headers.count + 2)
        var hasContentType = false
        var hasTraceparent = false
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                return .failure(
                    HTTPClientError(.invalidRequest("a header name is not an HTTP token"), mayHaveSent: false))
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                return .failure(
                    HTTPClientError(
                        .invalidRequest("the value of header \(name) has a line break or NUL"), mayHaveSent: false))
            }
            let lowercased = name.lowercased()
            if lowercased == "content-type" { hasContentType = true }
            if lowercased == "traceparent" || lowercased == "tracestate" { hasTraceparent = true }
            // "Name;" sends a field with an empty value: "Name:" would remove it.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if let trace, !hasTraceparent {
            // Both come from Herald's own validation (hex and tracestate's printable ASCII).
            lines.append("traceparent: \(trace.traceparent)")
            if let state = trace.state { lines.append("tracestate: \(state)") }
        }
        lines.append("Expect:")
        if request.body != nil, !hasContentType { lines.append("Content-Type:") }
        return .success(lines)
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
