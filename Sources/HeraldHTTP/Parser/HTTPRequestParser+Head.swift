/// The request line and header fields: syntax checks and the framing decision.
extension HTTPRequestParser {
    /// What is known about the request head while its fields arrive.
    struct PendingHead: Sendable {
        var method = ""
        var target = ""
        var version = HTTPVersion.http1_1
        var headers = HTTPHeaders(minimumCapacity: 12)
        var headerBytes = 0
        var fieldCount = 0
        var contentLength: Int?
        var transferEncodingSeen = false
        var chunkedCount = 0
        var lastCodingIsChunked = false
        var unknownCoding = false
        var connectionClose = false
        var connectionKeepAlive = false
        var expectsContinue = false
        var hostCount = 0
    }

    mutating func requestLine(_ line: UnsafeRawBufferPointer, length: Int) -> Outcome {
        if line.isEmpty {
            // RFC 9112 §2.2: empty lines before a request line are ignored, within a bound.
            blankPrefixBytes += length
            if blankPrefixBytes > limits.maxRequestLineLength {
                return .emit(.error(.malformed("too many empty lines before the request line")))
            }
            return .proceed
        }
        blankPrefixBytes = 0
        guard let firstSpace = line.firstIndex(of: 0x20) else {
            return .emit(.error(.malformed("request line is not method, target and version")))
        }
        let method = UnsafeRawBufferPointer(rebasing: line[..<firstSpace])
        guard !method.isEmpty, method.allSatisfy(HTTPSyntax.isTokenByte) else {
            return .emit(.error(.malformed("invalid method")))
        }
        let afterMethod = UnsafeRawBufferPointer(rebasing: line[(firstSpace + 1)...])
        guard let secondSpace = afterMethod.firstIndex(of: 0x20) else {
            return .emit(.error(.malformed("request line is not method, target and version")))
        }
        let target = UnsafeRawBufferPointer(rebasing: afterMethod[..<secondSpace])
        guard !target.isEmpty, target.allSatisfy(HTTPSyntax.isTargetByte) else {
            return .emit(.error(.malformed("invalid request target")))
        }
        let version = UnsafeRawBufferPointer(rebasing: afterMethod[(secondSpace + 1)...])
        guard version.count == 8, version.starts(with: "HTTP/".utf8), version[6] == UInt8(ascii: "."),
            let major = Self.digit(version[5]), let minor = Self.digit(version[7])
        else {
            return .emit(.error(.malformed("invalid HTTP version")))
        }
        guard major == 1, minor <= 1 else { return .emit(.error(.unsupportedVersion)) }
        head.method = String(decoding: method, as: UTF8.self)
        head.target = String(decoding: target, as: UTF8.self)
        head.version = HTTPVersion(major: major, minor: minor)
        state = .headers
        return .proceed
    }

    mutating func headerLine(_ line: UnsafeRawBufferPointer, length: Int) -> Outcome {
        if line.isEmpty { return finishHead() }
        head.headerBytes += length
        let field: (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
        switch Self.splitField(line) {
        case .failure(let error): return .emit(.error(error))
        case .success(let split): field = split
        }
        head.fieldCount += 1
        if head.fieldCount > limits.maxHeaderCount { return .emit(.error(.headerFieldsTooLarge)) }
        if let error = interpret(name: field.name, value: field.value) { return .emit(.error(error)) }
        head.headers.add(
            name: String(decoding: field.name, as: UTF8.self), value: String(decoding: field.value, as: UTF8.self))
        return .proceed
    }

    mutating func trailerLine(_ line: UnsafeRawBufferPointer, length: Int) -> Outcome {
        if line.isEmpty {
            state = .bodyComplete
            return .proceed
        }
        trailerBytes += length
        if case .failure(let error) = Self.splitField(line) { return .emit(.error(error)) }
        trailerCount += 1
        if trailerCount > limits.maxHeaderCount { return .emit(.error(.headerFieldsTooLarge)) }
        return .proceed
    }

    /// Splits `name: value`, rejecting obs-fold, whitespace before the colon and bad characters.
    static func splitField(
        _ line: UnsafeRawBufferPointer
    ) -> Result<(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer), HTTPError> {
        if HTTPSyntax.isWhitespace(line[0]) {
            return .failure(.malformed("obsolete line folding in a header field"))
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            return .failure(.malformed("header field without a colon"))
        }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        if let last = name.last, HTTPSyntax.isWhitespace(last) {
            return .failure(.malformed("whitespace before the colon of a header field"))
        }
        guard !name.isEmpty, name.allSatisfy(HTTPSyntax.isTokenByte) else {
            return .failure(.malformed("invalid header field name"))
        }
        let value = HTTPSyntax.trimmed(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
        guard value.allSatisfy(HTTPSyntax.isFieldValueByte) else {
            return .failure(.malformed("invalid character in a header field value"))
        }
        return .success((name, value))
    }

    /// Records what the fields that matter for framing and connection handling say.
    private mutating func interpret(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> HTTPError? {
        switch name.count {
        case 4 where HTTPSyntax.equalsLowercase(name, "host"):
            head.hostCount += 1
        case 6 where HTTPSyntax.equalsLowercase(name, "expect"):
            if HTTPSyntax.equalsLowercase(value, "100-continue") { head.expectsContinue = true }
        case 10 where HTTPSyntax.equalsLowercase(name, "connection"):
            HTTPSyntax.forEachListElement(value) { option in
                if HTTPSyntax.equalsLowercase(option, "close") { head.connectionClose = true }
                if HTTPSyntax.equalsLowercase(option, "keep-alive") { head.connectionKeepAlive = true }
            }
        case 14 where HTTPSyntax.equalsLowercase(name, "content-length"):
            return interpretContentLength(value)
        case 17 where HTTPSyntax.equalsLowercase(name, "transfer-encoding"):
            head.transferEncodingSeen = true
            HTTPSyntax.forEachListElement(value) { coding in
                guard !coding.isEmpty else { return }
                if HTTPSyntax.equalsLowercase(coding, "chunked") {
                    head.chunkedCount += 1
                    head.lastCodingIsChunked = true
                } else {
                    head.unknownCoding = true
                    head.lastCodingIsChunked = false
                }
            }
        default:
            break
        }
        return nil
    }

    /// Content-Length may repeat, or be a list, only with identical values (RFC 9110 §8.6).
    private mutating func interpretContentLength(_ value: UnsafeRawBufferPointer) -> HTTPError? {
        var error: HTTPError?
        HTTPSyntax.forEachListElement(value) { element in
            guard error == nil else { return }
            guard !element.isEmpty, element.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                error = .malformed("invalid Content-Length")
                return
            }
            // Saturate: anything this large is refused with 413 anyway.
            var length = 0
            for digit in element {
                length = min(length * 10 + Int(digit - 0x30), Int(Int32.max))
            }
            if let previous = head.contentLength, previous != length {
                error = .malformed("conflicting Content-Length values")
                return
            }
            head.contentLength = length
        }
        return error
    }

    /// Decides the framing (RFC 9112 §6.3) once the empty line after the fields arrives.
    private mutating func finishHead() -> Outcome {
        let isHTTP11 = head.version.minor >= 1
        if isHTTP11 && head.hostCount != 1 {
            return .emit(.error(.malformed(head.hostCount == 0 ? "missing Host" : "more than one Host")))
        }
        let framing: HTTPBodyFraming
        if head.transferEncodingSeen {
            if !isHTTP11 { return .emit(.error(.malformed("Transfer-Encoding in an HTTP/1.0 request"))) }
            if head.contentLength != nil {
                return .emit(.error(.malformed("both Content-Length and Transfer-Encoding")))
            }
            // RFC 9112 §6.3: without chunked as the final coding the body's length is unknown,
            // which is a 400 (and a closed connection) whatever the other codings are; only a
            // well-framed body with a coding Herald cannot decode (gzip, chunked) is a 501.
            guard head.chunkedCount == 1, head.lastCodingIsChunked else {
                return .emit(.error(.malformed("chunked must be the final transfer coding, applied once")))
            }
            if head.unknownCoding { return .emit(.error(.unsupportedTransferEncoding)) }
            framing = .chunked
            bodyLimit = limits.maxBodySize(for: head.target)
            state = .chunkSize
        } else if let length = head.contentLength {
            bodyLimit = limits.maxBodySize(for: head.target)
            if length > bodyLimit { return .emit(.error(.contentTooLarge)) }
            framing = .length(length)
            body.reserveCapacity(length)
            state = length == 0 ? .bodyComplete : .fixedBody(remaining: length)
        } else {
            framing = .none
            state = .bodyComplete
        }
        trailerBytes = 0
        trailerCount = 0
        let keepAlive = !head.connectionClose && (isHTTP11 || head.connectionKeepAlive)
        return .emit(
            .head(
                HTTPRequestHead(
                    method: head.method, target: head.target, version: head.version, headers: head.headers,
                    keepAlive: keepAlive, expectsContinue: isHTTP11 && head.expectsContinue, bodyFraming: framing)))
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= 0x30 && byte <= 0x39 ? Int(byte - 0x30) : nil
    }
}
