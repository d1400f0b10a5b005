import Glibc

/// An incremental HTTP/1.x request parser: a value-type state machine fed arbitrary chunks of bytes.
///
/// Each call to `parse(_:)` consumes input until it has one event to report or the input runs out.
/// Bytes after an event are not consumed, so a caller loops until `event` is nil, keeping the
/// unconsumed bytes (the next pipelined request) for later:
/// ```swift
/// var rest = bytes[...]
/// while true {
///     let step = parser.parse(rest)
///     rest = rest.dropFirst(step.consumed)
///     guard let event = step.event else { break }   // everything was consumed
///     handle(event)
/// }
/// ```
/// A request yields `.head` then `.body` (an empty body included); a violation yields `.error`
/// with the status to answer, after which the parser stays failed. Results never depend on how
/// the input is split.
///
/// Line endings: CRLF, and also a bare LF (RFC 9112 §2.2 allows a recipient to accept it, and nginx
/// does); a CR anywhere else is an error. Empty lines before a request line are skipped.
package struct HTTPRequestParser: Sendable {
    /// What one `parse(_:)` call found.
    package enum Event: Sendable, Hashable {
        /// The request line and headers are complete and valid; the body (if any) follows.
        case head(HTTPRequestHead)
        /// The body is complete (chunked bodies decoded, trailers discarded): the request is
        /// complete and the parser is ready for the next one.
        case body([UInt8])
        /// The request is invalid; answer `error.status` and close the connection.
        case error(HTTPError)
    }

    /// The result of one `parse(_:)` call: how many bytes were consumed, and the event, if any.
    /// When `event` is nil, all the input was consumed.
    package struct Step: Sendable, Hashable {
        package var consumed: Int
        package var event: Event?
    }

    enum State: Sendable {
        case requestLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case bodyComplete
        case failed(HTTPError)
    }

    /// The limits this parser enforces.
    package let limits: HTTPLimits

    var state: State = .requestLine
    /// A line that started in an earlier chunk; empty when lines are read straight from the input.
    var carry: [UInt8] = []
    var blankPrefixBytes = 0
    var head = PendingHead()
    var body: [UInt8] = []
    /// The body limit of the request being read (`HTTPLimits.maxBodySize(for:)`).
    var bodyLimit = 0
    var trailerBytes = 0
    var trailerCount = 0

    /// A parser with the given limits.
    package init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Whether the parser sits between requests with no byte of the next one seen yet.
    package var isAtRequestStart: Bool {
        if case .requestLine = state { return carry.isEmpty && blankPrefixBytes == 0 }
        return false
    }

    /// Forgets any partial request and starts afresh (also after an error).
    package mutating func reset() {
        state = .requestLine
        carry.removeAll(keepingCapacity: true)
        blankPrefixBytes = 0
        head = PendingHead()
        body = []
    }

    /// Parses `input` from its start; see the type's documentation for the calling protocol.
    package mutating func parse(_ input: ArraySlice<UInt8>) -> Step {
        input.withUnsafeBytes { parse($0) }
    }

    /// Parses `input` from its start; see the type's documentation for the calling protocol.
    package mutating func parse(_ input: UnsafeRawBufferPointer) -> Step {
        var position = 0
        while true {
            let outcome: Outcome
            switch state {
            case .failed(let error):
                return Step(consumed: 0, event: .error(error))
            case .bodyComplete:
                let complete = body
                body = []
                head = PendingHead()
                state = .requestLine
                return Step(consumed: position, event: .body(complete))
            case .fixedBody(let remaining):
                let count = min(remaining, input.count - position)
                appendBody(input, position, count)
                position += count
                if count == remaining {
                    state = .bodyComplete
                    continue
                }
                state = .fixedBody(remaining: remaining - count)
                return Step(consumed: position, event: nil)
            case .chunkData(let remaining):
                let count = min(remaining, input.count - position)
                appendBody(input, position, count)
                position += count
                if count == remaining {
                    state = .chunkDataEnd
                    continue
                }
                state = .chunkData(remaining: remaining - count)
                return Step(consumed: position, event: nil)
            case .requestLine:
                outcome = readLine(input, &position, limit: limits.maxRequestLineLength, tooLong: .requestLineTooLong) {
                    $0.requestLine($1, length: $2)
                }
            case .headers:
                let budget = limits.maxHeaderBlockSize - head.headerBytes
                outcome = readLine(input, &position, limit: budget, tooLong: .headerFieldsTooLarge) {
                    $0.headerLine($1, length: $2)
                }
            case .chunkSize:
                let tooLong = HTTPError.malformed("chunk size line too long")
                outcome = readLine(input, &position, limit: limits.maxChunkLineLength, tooLong: tooLong) {
                    $0.chunkSizeLine($1, length: $2)
                }
            case .chunkDataEnd:
                let missing = HTTPError.malformed("chunk data not followed by CRLF")
                outcome = readLine(input, &position, limit: 2, tooLong: missing) {
                    $0.chunkDataEndLine($1, length: $2)
                }
            case .trailers:
                let budget = limits.maxHeaderBlockSize - trailerBytes
                outcome = readLine(input, &position, limit: budget, tooLong: .headerFieldsTooLarge) {
                    $0.trailerLine($1, length: $2)
                }
            }
            switch outcome {
            case .needMore:
                return Step(consumed: position, event: nil)
            case .proceed:
                continue
            case .emit(let event):
                if case .error(let error) = event { state = .failed(error) }
                return Step(consumed: position, event: event)
            }
        }
    }

    enum Outcome {
        case needMore
        case proceed
        case emit(Event)
    }

    /// Finds the next complete line and hands it (without its terminator) to `handle`; carries a
    /// partial line over to the next call. The limit counts the terminator and is checked before
    /// anything is buffered, so the outcome does not depend on where the input was split.
    private mutating func readLine(
        _ input: UnsafeRawBufferPointer, _ position: inout Int, limit: Int, tooLong: HTTPError,
        _ handle: (inout Self, UnsafeRawBufferPointer, Int) -> Outcome
    ) -> Outcome {
        let available = input.count - position
        let start = input.baseAddress.map { $0 + position }
        guard let start, available > 0, let found = memchr(start, 0x0A, available) else {
            if carry.count + available + 1 > limit { return .emit(.error(tooLong)) }
            if available > 0 { carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[position...])) }
            position = input.count
            return .needMore
        }
        let length = UnsafeRawPointer(found) - start
        if carry.count + length + 1 > limit { return .emit(.error(tooLong)) }
        let lineRange = position..<(position + length)
        position += length + 1
        if carry.isEmpty {
            return handle(&self, Self.trimCR(UnsafeRawBufferPointer(rebasing: input[lineRange])), length + 1)
        }
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[lineRange]))
        var line: [UInt8] = []
        swap(&line, &carry)
        let outcome = line.withUnsafeBytes { handle(&self, Self.trimCR($0), $0.count + 1) }
        line.removeAll(keepingCapacity: true)
        swap(&line, &carry)
        return outcome
    }

    private static func trimCR(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        if let last = line.last, last == 0x0D {
            return UnsafeRawBufferPointer(rebasing: line.dropLast())
        }
        return line
    }

    private mutating func appendBody(_ input: UnsafeRawBufferPointer, _ position: Int, _ count: Int) {
        guard count > 0 else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: input[position..<(position + count)])
        body.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }
}
