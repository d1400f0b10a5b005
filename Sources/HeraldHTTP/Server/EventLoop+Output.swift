import Glibc

/// Writing responses, and closing connections.
extension EventLoop {
    /// Writes two buffers in order, keeping what the socket does not take for `flush`.
    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, on connection: Connection) {
        if connection.hasPendingOutput {
            connection.output.append(contentsOf: first)
            connection.output.append(contentsOf: second)
            return
        }
        var sent = 0
        switch Posix.send(connection.fd, first, second) {
        case .done(let count): sent = count
        case .wouldBlock: sent = 0
        case .failed:
            close(connection)
            return
        }
        if sent == first.count + second.count { return }
        connection.output.removeAll(keepingCapacity: true)
        connection.outputOffset = 0
        if sent < first.count {
            connection.output.append(contentsOf: UnsafeRawBufferPointer(rebasing: first[sent...]))
            connection.output.append(contentsOf: second)
        } else {
            connection.output.append(contentsOf: UnsafeRawBufferPointer(rebasing: second[(sent - first.count)...]))
        }
        arm(connection, .write)
        updateInterest(connection)
    }

    /// Continues a partial write when the socket is writable again.
    func flush(_ connection: Connection) {
        guard connection.hasPendingOutput else { return }
        let result = connection.output.withUnsafeBytes { bytes in
            Posix.send(
                connection.fd, UnsafeRawBufferPointer(rebasing: bytes[connection.outputOffset...]),
                UnsafeRawBufferPointer(start: nil, count: 0))
        }
        switch result {
        case .done(let count):
            connection.outputOffset += count
        case .wouldBlock:
            return
        case .failed:
            close(connection)
            return
        }
        if connection.hasPendingOutput {
            arm(connection, .write)
            return
        }
        connection.output = []
        connection.outputOffset = 0
        switch connection.phase {
        case .writing:
            finishedWriting(connection)
        case .readingBody:
            // A `100 Continue` drained: keep reading the body under its own deadline.
            arm(connection, .body)
            updateInterest(connection)
        default:
            updateInterest(connection)
        }
    }

    /// A response has been written completely: close, or wait for the next request.
    func finishedWriting(_ connection: Connection) {
        if connection.closeAfterWrite {
            linger(connection)
            return
        }
        connection.phase = .idle
        arm(connection, .idle)
        if connection !== processing { resumeQueue.append(connection) }
    }

    /// Shuts our side down and discards input until the client closes or the linger time ends,
    /// so that unread input does not turn the close into a reset that destroys the response.
    private func linger(_ connection: Connection) {
        guard shutdown(connection.fd, Int32(SHUT_WR)) == 0 else {
            close(connection)
            return
        }
        connection.phase = .lingering
        connection.pendingInput = []
        arm(connection, .linger)
        updateInterest(connection)
    }

    func discardInput(_ connection: Connection) {
        switch Posix.read(connection.fd, into: readBuffer) {
        case .wouldBlock:
            return
        case .done(let count) where count > 0:
            connection.lingerBytes += count
            // Bound the work a client can make us do after we have decided to close.
            if connection.lingerBytes > 1024 * 1024 { close(connection) }
        default:
            close(connection)
        }
    }

    /// Registers the events the connection's state calls for, if they changed.
    func updateInterest(_ connection: Connection) {
        guard !connection.isClosed else { return }
        var wanted: UInt32 = 0
        if connection.hasPendingOutput { wanted |= Epoll.writable }
        if wantsInput(connection) { wanted |= Epoll.readable }
        guard wanted != connection.interest else { return }
        connection.interest = wanted
        _ = Posix.epollControl(epoll.rawValue, Epoll.modify, connection.fd, events: wanted, data: connection.id.tag)
    }

    /// Closes the connection now; later responses for it are ignored.
    func close(_ connection: Connection) {
        guard !connection.isClosed else { return }
        disarm(connection)
        connection.phase = .closed
        connections[Int(connection.fd)] = nil
        connectionCount -= 1
        // Closing also removes the descriptor from the epoll set.
        connection.descriptor.take()?.close()
        connection.pendingInput = []
        connection.output = []
        resumeAccepting()
    }
}
