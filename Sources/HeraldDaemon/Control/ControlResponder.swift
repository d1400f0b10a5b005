import Dispatch
import HeraldCore
import HeraldHTTP
import HeraldJobs

/// The daemon's control socket (`state_dir/control.sock`, mode 0600): `herald queue|dead` talk
/// to it while the daemon holds the spool, in the protocol of `JobControlRequest`.
final class ControlResponder: HTTPResponder {
    private let control: any QueueControl
    /// Control requests read from disk and wait for fsync: never on the HTTP thread. Serial, so
    /// that one operator's requests apply in order.
    private let work = DispatchQueue(label: "herald.control")

    init(control: any QueueControl) {
        self.control = control
    }

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        let head = request.head
        work.async { [control] in
            let (status, body) = JobControlRequest.answer(method: head.method, target: head.target, control: control)
            writer.respond(.json(status, body.serialized()))
        }
    }
}
