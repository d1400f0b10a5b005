/// Deadlines: one FIFO list per `TimerKind`, linked through the connections by descriptor number.
extension EventLoop {
    /// Sets the connection's single deadline to `kind`'s duration from now.
    func arm(_ connection: Connection, _ kind: TimerKind) {
        disarm(connection)
        let list = kind.rawValue
        connection.timer = kind
        connection.deadline = now &+ timerDurations[list]
        connection.timerPrevious = timerTails[list]
        connection.timerNext = -1
        if timerTails[list] >= 0 {
            connections[Int(timerTails[list])]?.timerNext = connection.fd
        } else {
            timerHeads[list] = connection.fd
        }
        timerTails[list] = connection.fd
    }

    func disarm(_ connection: Connection) {
        guard let kind = connection.timer else { return }
        let list = kind.rawValue
        if connection.timerPrevious >= 0 {
            connections[Int(connection.timerPrevious)]?.timerNext = connection.timerNext
        } else {
            timerHeads[list] = connection.timerNext
        }
        if connection.timerNext >= 0 {
            connections[Int(connection.timerNext)]?.timerPrevious = connection.timerPrevious
        } else {
            timerTails[list] = connection.timerPrevious
        }
        connection.timer = nil
        connection.timerPrevious = -1
        connection.timerNext = -1
    }

    func expireTimers() {
        for kind in TimerKind.allCases {
            while timerHeads[kind.rawValue] >= 0, let connection = connections[Int(timerHeads[kind.rawValue])],
                connection.deadline <= now
            {
                disarm(connection)
                expired(connection, kind)
            }
        }
    }

    private func expired(_ connection: Connection, _ kind: TimerKind) {
        switch kind {
        case .header where !connection.parser.isAtRequestStart, .body:
            fail(connection, with: .requestTimeout)
        case .header, .idle, .write, .linger:
            close(connection)
        }
    }
}
