import Synchronization

/// The application behind an `HTTPServer`.
///
/// Implementation requirements:
/// - Both methods run on the server's event-loop thread: return quickly and never block (no disk
///   sync, no network). Hand slow work to another thread and answer later through the writer.
/// - Answer every request passed to `respond(to:writer:)` exactly once; the connection waits for
///   that answer before it reads the next request (pipelined requests are answered in order).
package protocol HTTPResponder: Sendable {
    /// Called on the server thread once a request head is parsed, before any body byte is read.
    /// Return a response to answer without reading the body (e.g. 401 for missing credentials, 404
    /// for an unknown path); the connection is then closed if the request announced a body. Return
    /// nil to go on reading the body.
    func screen(_ head: HTTPRequestHead) -> HTTPResponse?

    /// Called on the server thread with the complete request. Must be quick; answer by calling
    /// `writer.respond(_:)` exactly once, either right away or later from any thread (e.g. after an
    /// fsync on another thread).
    func respond(to request: HTTPRequest, writer: HTTPResponseWriter)
}

extension HTTPResponder {
    /// Accepts every head.
    package func screen(_ head: HTTPRequestHead) -> HTTPResponse? { nil }
}

/// Answers one request. Safe to use from any thread; a second call is ignored, and so is a call
/// after the connection has closed.
package struct HTTPResponseWriter: Sendable {
    let loop: EventLoop?
    let connection: ConnectionID
    let sequence: UInt32
    /// Where the answer goes when there is no connection (tests of a responder, without sockets).
    let recorder: HTTPResponseRecorder?

    init(loop: EventLoop, connection: ConnectionID, sequence: UInt32) {
        self.loop = loop
        self.connection = connection
        self.sequence = sequence
        recorder = nil
    }

    /// A writer that hands the answer to `recorder`: for tests of a responder without sockets.
    package init(recording recorder: HTTPResponseRecorder) {
        loop = nil
        connection = ConnectionID(fd: -1, generation: 0)
        sequence = 0
        self.recorder = recorder
    }

    /// Sends `response` (queued to the server thread when called from another thread).
    package func respond(_ response: HTTPResponse) {
        if let loop {
            loop.deliver(response, to: connection, sequence: sequence)
        } else {
            recorder?.record(response)
        }
    }
}

/// What a responder answered through recording writers, in order; for tests without sockets.
package final class HTTPResponseRecorder: Sendable {
    private let answers = Mutex<[HTTPResponse]>([])

    package init() {}

    /// Every answer so far.
    package var responses: [HTTPResponse] { answers.withLock { $0 } }

    func record(_ response: HTTPResponse) {
        answers.withLock { $0.append(response) }
    }
}

/// Names a connection for its whole life: the descriptor number is reused after close, the
/// generation is not.
struct ConnectionID: Sendable, Hashable {
    var fd: Int32
    var generation: UInt32

    /// The value stored in the connection's epoll registration.
    var tag: UInt64 { UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd)) }
}
