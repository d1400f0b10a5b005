internal import CCurl
import FoundationEssentials
import HeraldCore

/// One HTTP call on the driver's thread: sets the easy handle up from the request, keeps the
/// answer's head and (up to its limit) body as libcurl delivers them, and resumes the caller once.
///
/// `@unchecked Sendable`: the immutable request parts are set in `init`; `continuation` is set by
/// the caller before `CurlDriver.submit`, whose lock orders that write before the driver's
/// reads; everything else is touched only on the driver's thread, between `configure` and
/// `finish` (the curl callbacks run there too).
final class HTTPTransfer: CurlTransfer, @unchecked Sendable {
    typealias Continuation = CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>

    /// At most this many header fields and bytes of header are kept; a longer head fails the call
    /// like a body over its limit.
    static let maxHeaderFields = 100
    static let maxHeaderBytes = 64 << 10

    let cancellation = CurlCancellation()
    var continuation: Continuation?

    private let method: String
    private let url: String
    private let headerLines: [String]
    private let body: [UInt8]?
    private let limit: HTTPAnswerLimit
    private let timeoutMilliseconds: Int
    private let connectTimeoutMilliseconds: Int
    private let caFile: String?

    // The driver thread's, from `configure` to `finish`.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var errorBuffer: UnsafeMutablePointer<CChar>?
    private var head = HTTPHeaderBlock()
    private var received: [UInt8] = []
    private var overLimit = false
    private var headerOverLimit = false

    /// - Parameter headerLines: `Name: value` lines, already checked (`HTTPClient.headerLines`).
    init(
        _ request: HTTPClientRequest, headerLines: [String], limit: HTTPAnswerLimit, timeout: Duration,
        connectTimeout: Duration, caFile: String?
    ) {
        method = request.method
        url = request.url.absoluteString
        self.headerLines = headerLines
        body = request.body
        self.limit = limit
        timeoutMilliseconds = Self.milliseconds(timeout)
        connectTimeoutMilliseconds = min(timeoutMilliseconds, Self.milliseconds(connectTimeout))
        self.caFile = caFile
    }

    deinit {
        curl_slist_free_all(headerList)
        errorBuffer?.deallocate()
    }

    /// Whether a proxy variable libcurl reads is set (`https_proxy`, `http_proxy`, `all_proxy`,
    /// upper case too): libcurl then uses it as it would for any program. The environment does not
    /// change while Herald runs.
    static let proxyFromEnvironment: Bool = {
        let environment = ProcessInfo.processInfo.environment
        return ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"].contains {
            !(environment[$0] ?? "").isEmpty
        }
    }()

    /// A whole number of milliseconds, at least 1 (0 means "no timeout" to libcurl).
    static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(duration.saturatingMilliseconds))
    }

    func configure(_ handle: UnsafeMutableRawPointer) -> Int {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        buffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer = buffer
        for line in headerLines { headerList = curl_slist_append(headerList, line) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        var options = CurlOptions(handle)
        options.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(buffer))
        options.set(CURLOPT_URL, url)
        options.set(CURLOPT_PROTOCOLS_STR, "http,https")
        if !Self.proxyFromEnvironment {
            // No proxy variable is set: saying so spares libcurl looking them up on every call.
            options.set(CURLOPT_PROXY, "")
        }
        // No SIGALRM for name resolution timeouts: the process has many threads.
        options.set(CURLOPT_NOSIGNAL, 1)
        // A call ended while its name is being resolved leaves the resolver thread to finish
        // alone, instead of waiting for it on the driver's thread.
        options.set(CURLOPT_QUICK_EXIT, 1)
        // Redirects are answers: the request, its credentials and its body go to the configured
        // URL and nowhere else.
        options.set(CURLOPT_FOLLOWLOCATION, 0)
        // No Accept-Encoding is sent and nothing is inflated: a body is read as it comes, within
        // its limit, so a small gzip answer cannot become a large one.
        options.set(CURLOPT_HTTP_CONTENT_DECODING, 0)
        options.set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        options.set(CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        options.set(CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds)
        options.set(CURLOPT_USERAGENT, "herald")
        options.set(CURLOPT_HTTPHEADER, list: headerList)
        options.set(CURLOPT_WRITEFUNCTION, callback: httpReceiveBody)
        options.set(CURLOPT_WRITEDATA, pointer: context)
        options.set(CURLOPT_HEADERFUNCTION, callback: httpReceiveHeader)
        options.set(CURLOPT_HEADERDATA, pointer: context)
        if url.utf8.starts(with: "https:".utf8) {
            // A new call to a host whose TLS connection is being set up waits to learn whether it
            // speaks HTTP/2 (ALPN, in the handshake) instead of opening another. Not for plain
            // http, which Herald never speaks HTTP/2 on: libcurl would learn it only from the
            // first answer, so a burst of calls would wait on the first one.
            options.set(CURLOPT_PIPEWAIT, 1)
        }
        if let caFile { options.set(CURLOPT_CAINFO, caFile) }
        if let body {
            options.set(CURLOPT_POSTFIELDSIZE_LARGE, size: body.count)
            // COPYPOSTFIELDS copies: the body need not outlive the call. An empty body still
            // needs a pointer (a null one would make libcurl read the body from stdin).
            if body.isEmpty {
                options.set(CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBytes {
                    options.set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: $0.baseAddress))
                }
            }
            if method != "POST" { options.set(CURLOPT_CUSTOMREQUEST, method) }
        } else if method == "HEAD" {
            options.set(CURLOPT_NOBODY, 1)
        } else if method != "GET" {
            options.set(CURLOPT_CUSTOMREQUEST, method)
        }
        return Int(options.failure.rawValue)
    }

    /// Keeps a piece of the body; past the limit keeps what fits and stops the transfer.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        let room = limit.bytes - received.count
        guard bytes.count <= room else {
            if limit.excess == .isCut { received.append(contentsOf: bytes.prefix(max(0, room))) }
            overLimit = true
            return 0  // Not the count given: libcurl ends the transfer with CURLE_WRITE_ERROR.
        }
        received.append(contentsOf: bytes)
        return bytes.count
    }

    /// Keeps one header line; a status line (a 1xx before the final answer) starts over.
    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        if bytes.starts(with: "HTTP/".utf8) {
            head.removeAll()
            return bytes.count
        }
        guard head.bytes.count + bytes.count <= Self.maxHeaderBytes, head.count < Self.maxHeaderFields else {
            headerOverLimit = true
            return 0
        }
        head.append(bytes)
        return bytes.count
    }

    func finish(_ ending: CurlEnding) {
        let result = self.result(ending)
        continuation?.resume(returning: result)
        continuation = nil
    }

    private func result(_ ending: CurlEnding) -> Result<HTTPClientResponse, HTTPClientError> {
        var status = 0
        var requestBytes = 0
        var version = 0
        if let handle = ending.handle {
            _ = herald_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            _ = herald_curl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestBytes)
            _ = herald_curl_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        }
        if ending.cancelled {
            return .failure(HTTPClientError(.cancelled, mayHaveSent: requestBytes > 0, curlCode: ending.code))
        }
        let answer = HTTPClientResponse(
            status: status, headerBlock: head, body: received, truncated: overLimit,
            httpVersion: version == CURL_HTTP_VERSION_2_0 ? "2" : "1.1")
        if ending.code == 0 { return .success(answer) }
        if overLimit, limit.excess == .isCut { return .success(answer) }
        if overLimit || headerOverLimit {
            return .failure(
                HTTPClientError(
                    .answerTooLarge(limit: overLimit ? limit.bytes : Self.maxHeaderBytes), mayHaveSent: true,
                    status: status > 0 ? status : nil, curlCode: ending.code))
        }
        let detail = errorBuffer.map { String(cString: $0) } ?? ""
        return .failure(.curl(ending.code, requestBytes: requestBytes, status: status, detail: detail))
    }
}

private func transfer(_ context: UnsafeMutableRawPointer?) -> HTTPTransfer? {
    context.map { Unmanaged<HTTPTransfer>.fromOpaque($0).takeUnretainedValue() }
}

private let httpReceiveBody: curl_write_callback = { data, size, count, context in
    guard let transfer = transfer(context) else { return 0 }
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let httpReceiveHeader: curl_write_callback = { data, size, count, context in
    guard let transfer = transfer(context) else { return 0 }
    return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
}
