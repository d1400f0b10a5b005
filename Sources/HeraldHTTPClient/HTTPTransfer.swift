internal import CCurl
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
    private var fields: [(name: String, value: String)] = []
    private var headerBytes = 0
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
        var steps: [() -> CURLcode] = [
            { herald_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer) },
            { herald_curl_setopt_string(handle, CURLOPT_URL, self.url) },
            { herald_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https") },
            // No SIGALRM for name resolution timeouts: the process has many threads.
            { herald_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) },
            // A call ended while its name is being resolved leaves the resolver thread to finish
            // alone, instead of waiting for it on the driver's thread.
            { herald_curl_setopt_long(handle, CURLOPT_QUICK_EXIT, 1) },
            // Redirects are answers: the request, its credentials and its body go to the
            // configured URL and nowhere else.
            { herald_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0) },
            // No Accept-Encoding is sent and nothing is inflated: a body is read as it comes, within
            // its limit, so a small gzip answer cannot become a large one.
            { herald_curl_setopt_long(handle, CURLOPT_HTTP_CONTENT_DECODING, 0) },
            { herald_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS) },
            { herald_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, self.timeoutMilliseconds) },
            { herald_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, self.connectTimeoutMilliseconds) },
            { herald_curl_setopt_string(handle, CURLOPT_USERAGENT, "herald") },
            { herald_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, self.headerList) },
            { herald_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, httpReceiveBody) },
            { herald_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context) },
            { herald_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION, httpReceiveHeader) },
            { herald_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context) },
        ]
        if url.utf8.starts(with: "https:".utf8) {
            // A new call to a host whose TLS connection is being set up waits to learn whether it
            // speaks HTTP/2 (ALPN, in the handshake) instead of opening another. Not for plain
            // http, which Herald never speaks HTTP/2 on: libcurl would learn it only from the
            // first answer, so a burst of calls would wait on the first one.
            steps.append { herald_curl_setopt_long(handle, CURLOPT_PIPEWAIT, 1) }
        }
        if let caFile { steps.append { herald_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) } }
        steps += methodSteps(handle)
        for step in steps {
            let code = step()
            if code != CURLE_OK { return Int(code.rawValue) }
        }
        return 0
    }

    /// The options that make libcurl send `method` with `body`.
    private func methodSteps(_ handle: UnsafeMutableRawPointer) -> [() -> CURLcode] {
        var steps: [() -> CURLcode] = []
        if let body {
            steps.append { herald_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) }
            steps.append {
                // COPYPOSTFIELDS copies: the body need not outlive the call. An empty body still
                // needs a pointer (a null one would make libcurl read the body from stdin).
                if body.isEmpty { return herald_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "") }
                return body.withUnsafeBytes { bytes in
                    herald_curl_setopt_pointer(
                        handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
            }
            if method != "POST" {
                steps.append { herald_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, self.method) }
            }
        } else if method == "HEAD" {
            steps.append { herald_curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
        } else if method != "GET" {
            steps.append { herald_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, self.method) }
        }
        return steps
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
        headerBytes += bytes.count
        if bytes.starts(with: "HTTP/".utf8) {
            fields.removeAll(keepingCapacity: true)
            headerBytes = bytes.count
            return bytes.count
        }
        guard headerBytes <= Self.maxHeaderBytes, fields.count < Self.maxHeaderFields || bytes.count <= 2 else {
            headerOverLimit = true
            return 0
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return bytes.count }
        let name = String(decoding: bytes[..<colon], as: UTF8.self)
        let value = String(decoding: bytes[(colon + 1)...], as: UTF8.self)
        fields.append((name: name, value: Self.trimmed(value)))
        return bytes.count
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" || last == "\n" {
            scalars.removeLast()
        }
        return String(scalars)
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
            status: status, headers: fields, body: received, truncated: overLimit,
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
