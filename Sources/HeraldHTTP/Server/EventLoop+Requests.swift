import Glibc

/// Reading and parsing requests, and handing them to the responder.
extension EventLoop {
    func readable(_ connection: Connection) {
        if connection.phase == .lingering {
            discardInput(connection)
            return
        }
        guard wantsInput(connection) else { return }
        switch Posix.read(connection.fd, into: readBuffer) {
        case .wouldBlock:
            return
        case .failed, .done(0):
            // The client went away (or half-closed, which HTTP/1.1 clients do only when done).
            close(connection)
        case .done(let count):
            let input = UnsafeRawBufferPointer(rebasing: readBuffer[..<count])
            switch connection.phase {
            case .awaitingResponse, .writing:
                // A pipelined request while the previous answer is outstanding: keep it for later.
                if !connection.closeAfterWrite { connection.pendingInput.append(contentsOf: input) }
                updateInterest(connection)
            default:
                process(connection, input)
            }
        }
    }

    /// Parses `input` for `connection`, answering each complete request before parsing the next.
    /// Input left over while a response is outstanding is kept in `pendingInput`.
    func process(_ connection: Connection, _ input: UnsafeRawBufferPointer) {
        guard !input.isEmpty else { return }
        processing = connection
        defer { processing = nil }
        var offset = 0
        if connection.phase == .idle {
            connection.phase = .readingHead
            arm(connection, .header)
        }
        while true {
            let step = connection.parser.parse(UnsafeRawBufferPointer(rebasing: input[offset...]))
            offset += step.consumed
            guard let event = step.event else { return }
            switch event {
            case .head(let head):
                receivedHead(head, on: connection)
            case .body(let body):
                guard let head = connection.head else { return }
                connection.phase = .awaitingResponse
                disarm(connection)
                let writer = HTTPResponseWriter(loop: self, connection: connection.id, sequence: connection.sequence)
                responder.respond(to: HTTPRequest(head: head, body: body), writer: writer)
            case .error(let error):
                fail(connection, with: error)
            }
            completeLocalResponses()
            switch connection.phase {
            case .readingHead, .readingBody:
                continue
            case .idle:
                // Answered at once: go on with pipelined bytes, if any.
                guard offset < input.count else { return }
                connection.phase = .readingHead
                arm(connection, .header)
            case .awaitingResponse, .writing:
                if !connection.closeAfterWrite {
                    connection.pendingInput.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset...]))
                }
                updateInterest(connection)
                return
            case .lingering, .closed:
                return
            }
        }
    }

    private func receivedHead(_ head: HTTPRequestHead, on connection: Connection) {
        connection.sequence &+= 1
        connection.head = head
        connection.keepAlive = head.keepAlive && !stopping
        if let response = responder.screen(head) {
            // Answered without reading the body: a body, if announced, would have to be read and
            // discarded to keep the connection, so the connection is closed instead.
            connection.parser.reset()
            if head.hasBody { connection.keepAlive = false }
            connection.phase = .awaitingResponse
            disarm(connection)
            send(response, on: connection)
            return
        }
        guard head.hasBody else { return }  // the parser reports the empty body next
        connection.phase = .readingBody
        arm(connection, .body)
        if head.expectsContinue {
            Self.continueResponse.withUnsafeBytes {
                write($0, UnsafeRawBufferPointer(start: nil, count: 0), on: connection)
            }
        }
    }

    private static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Answers a request the parser rejected (or that timed out), then closes.
    func fail(_ connection: Connection, with error: HTTPError) {
        connection.keepAlive = false
        connection.head = nil
        connection.phase = .awaitingResponse
        disarm(connection)
        send(.error(error.status, "\(error)"), on: connection)
    }

    func completeLocalResponses() {
        // `complete` never calls the responder, so nothing is appended while this runs; indexing
        // (instead of taking a copy) keeps the buffer unshared and reused, with no allocation.
        var index = 0
        while index < localResponses.count {
            complete(localResponses[index])
            index += 1
        }
        localResponses.removeAll(keepingCapacity: true)
    }

    /// Sends a response from a writer, unless its connection is gone or already answered.
    func complete(_ delivery: Delivery) {
        let fd = Int(delivery.connection.fd)
        guard fd < connections.count, let connection = connections[fd], connection.id == delivery.connection,
            connection.sequence == delivery.sequence, connection.phase == .awaitingResponse
        else { return }
        send(delivery.response, on: connection)
    }

    /// Encodes and writes a response for the connection's current request.
    private func send(_ response: HTTPResponse, on connection: Connection) {
        configuration.responseObserver?(response.status)
        if ResponseEncoder.requestsClose(response) { connection.keepAlive = false }
        let isHEAD = connection.head?.method == "HEAD"
        let keepAliveForHTTP10 = connection.keepAlive && connection.head?.version == .http1_0
        encoder.encodeHead(
            response, bodyLength: response.body.count, close: !connection.keepAlive,
            keepAliveForHTTP10: keepAliveForHTTP10)
        connection.head = nil
        connection.phase = .writing
        connection.closeAfterWrite = !connection.keepAlive
        let bodyAllowed = !isHEAD && response.status >= 200 && response.status != 204 && response.status != 304
        encoder.buffer.withUnsafeBytes { head in
            if bodyAllowed {
                response.body.withUnsafeBytes { body in write(head, body, on: connection) }
            } else {
                write(head, UnsafeRawBufferPointer(start: nil, count: 0), on: connection)
            }
        }
        if connection.phase == .writing && !connection.hasPendingOutput { finishedWriting(connection) }
    }

    /// Parses input held back while a response was outstanding, for connections that are ready.
    func resumeWaitingConnections() {
        while !resumeQueue.isEmpty {
            let queue = resumeQueue
            resumeQueue.removeAll(keepingCapacity: true)
            for connection in queue where connection.phase == .idle && !connection.isClosed {
                if !connection.pendingInput.isEmpty {
                    let input = connection.pendingInput
                    connection.pendingInput = []
                    input.withUnsafeBytes { process(connection, $0) }
                }
                if !connection.isClosed { updateInterest(connection) }
            }
        }
    }

    /// Whether the connection should be reading from its socket now. While an answer is
    /// outstanding the socket stays registered for reading (turning that off and on again would
    /// cost two epoll_ctl calls per request), and pipelined input is buffered up to a bound.
    func wantsInput(_ connection: Connection) -> Bool {
        switch connection.phase {
        case .idle, .readingHead, .readingBody: connection.pendingInput.isEmpty
        case .lingering: true
        case .awaitingResponse, .writing: connection.pendingInput.count < Self.maximumPipelinedBytes
        case .closed: false
        }
    }

    /// Bytes of pipelined requests buffered while an answer is outstanding.
    static var maximumPipelinedBytes: Int { 64 << 10 }
}
