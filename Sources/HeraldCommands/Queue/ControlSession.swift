import Glibc
import HeraldCore
import HeraldJobs
import HeraldSpool

/// How `herald queue|dead` reach a spool: directly when no daemon holds it (the CLI takes the
/// spool's lock for the length of the command), otherwise through the running daemon's control
/// socket, so that the one process owning the spool makes every change and its executor
/// follows. Either way a request is a method and a target of `JobControlRequest`'s protocol and
/// gets the same JSON back.
package final class ControlSession {
    package enum Mode: Sendable {
        /// The CLI opened the spool itself.
        case direct
        /// Requests go to the daemon's control socket.
        case daemon
    }

    private let spool: Spool?
    private let control: JobControl<Spool>?
    private let client: ControlClient?

    package var mode: Mode { spool == nil ? .daemon : .direct }

    private init(
        spool: Spool?, client: ControlClient?, keepers: @escaping @Sendable () -> [any PersonalDataKeeper] = { [] },
        audit: Logger = .discarding
    ) {
        self.spool = spool
        self.control = spool.map { JobControl(store: $0, keepers: keepers, audit: audit) }
        self.client = client
    }

    /// Opens the spool of `stateDirectory`, or connects to the daemon that holds it.
    ///
    /// Run as root on a state directory another user owns (the service's), the process takes
    /// that user's identity first, so that nothing it writes becomes unwritable for the daemon.
    /// - Parameters:
    ///   - keepers: in direct mode, the actions whose kept files `forget|export` reach (a daemon
    ///     uses its own configuration's).
    ///   - audit: in direct mode, where `forget` writes its audit line.
    /// - Throws: `ControlError` when there is no spool there or it cannot be opened.
    package static func open(
        stateDirectory: String, keepers: @escaping @Sendable () -> [any PersonalDataKeeper] = { [] },
        audit: Logger = .discarding
    ) throws(ControlError) -> ControlSession {
        let spoolDirectory = stateDirectory + "/spool"
        var status = stat()
        guard stat(spoolDirectory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw ControlError("no spool in \(stateDirectory) (is it the state_dir of herald serve?)")
        }
        if geteuid() == 0 && status.st_uid != 0 {
            guard setgid(status.st_gid) == 0, setuid(status.st_uid) == 0 else {
                throw ControlError("cannot act as the owner (uid \(status.st_uid)) of \(spoolDirectory)")
            }
        }
        var options = SpoolOptions()
        options.compactionInterval = nil
        // A held lock means a running daemon: ask it at once.
        options.lockWait = .zero
        do throws(SpoolError) {
            let spool = try Spool.open(stateDirectory: stateDirectory, options: options, logger: .discarding)
            return ControlSession(spool: spool, client: nil, keepers: keepers, audit: audit)
        } catch {
            guard case .locked = error else { throw ControlError("cannot open the spool: \(error)") }
            let path = ControlClient.socketPath(stateDirectory: stateDirectory)
            return ControlSession(spool: nil, client: ControlClient(path: path))
        }
    }

    /// Performs one request (`GET /queue?limit=100`, `POST /dead/{id}/retry`, …).
    /// - Throws: `ControlError` when the daemon cannot be reached.
    package func send(_ method: String, _ target: String) throws(ControlError) -> (status: Int, body: JSON) {
        if let control {
            return JobControlRequest.answer(method: method, target: target, control: control)
        }
        guard let client else { throw ControlError("closed") }
        return try client.request(method, target)
    }

    /// Writes what is pending and releases the spool (direct mode).
    package func close() {
        spool?.close()
    }
}
