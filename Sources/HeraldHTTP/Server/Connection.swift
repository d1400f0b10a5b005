/// One client connection. Owned by the event loop and touched only on its thread.
final class Connection {
    enum Phase {
        /// Between requests; no byte of the next one seen yet.
        case idle
        case readingHead
        case readingBody
        /// The request went to the responder; its answer has not come yet.
        case awaitingResponse
        /// A response is being written; the connection stays quiet until it has drained.
        case writing
        /// Closing: our side is shut down and input is discarded until the client closes.
        case lingering
        case closed
    }

    let id: ConnectionID
    var descriptor: FileDescriptor?
    var phase = Phase.idle
    var parser: HTTPRequestParser
    /// The head of the request being answered.
    var head: HTTPRequestHead?
    /// Counts request heads; a writer answers only the request it was made for.
    var sequence: UInt32 = 0
    /// Whether the connection stays open after the current response.
    var keepAlive = true
    /// Input that arrived after a complete request, parsed once its response is written.
    var pendingInput: [UInt8] = []
    /// Response bytes the socket has not taken yet.
    var output: [UInt8] = []
    var outputOffset = 0
    var closeAfterWrite = false
    /// The epoll events currently registered.
    var interest: UInt32 = 0
    var lingerBytes = 0

    // Membership in one of the loop's deadline lists (linked by descriptor number).
    var timer: TimerKind?
    var timerPrevious: Int32 = -1
    var timerNext: Int32 = -1
    var deadline: UInt64 = 0

    init(id: ConnectionID, descriptor: consuming FileDescriptor, limits: HTTPLimits) {
        self.id = id
        self.descriptor = consume descriptor
        self.parser = HTTPRequestParser(limits: limits)
    }

    var fd: Int32 { id.fd }
    var hasPendingOutput: Bool { outputOffset < output.count }
    var isClosed: Bool { phase == .closed }
}

/// The deadlines a connection can wait under. Each has one fixed duration, so deadlines of one
/// kind are set in increasing order and a FIFO list per kind stays sorted: arming, disarming and
/// finding the next expiry are all O(1), with no per-request allocation.
enum TimerKind: Int, CaseIterable {
    case header, body, idle, write, linger
}
