import HeraldCore

#if canImport(Glibc)
    import Glibc
#endif

/// Turns how a program ended into an outcome.
///
/// The program's own word decides: 0 is done, 75 (`EX_TEMPFAIL`, sysexits.h) asks for a retry,
/// anything else is a failure that a repeat would meet again. Herald decides only where the
/// program could not finish: a timeout or a cancellation (its group killed, part of its work
/// perhaps done) and a kill from outside (the OOM killer, a stop) are ambiguous retries.
enum ExecResultClassifier {
    static let tempFail: Int32 = 75
    /// Lines of stderr quoted in a reason.
    static let stderrLines = 5

    static func classify(_ result: ExecResult, timeout: Duration, redactor: RemoteTextRedactor) -> Outcome {
        switch result.termination {
        case .exited(0):
            let last = result.stdout.lastLines(1).first.map { ": " + redactor.clean($0, limit: 120) } ?? ""
            return .delivered(detail: "exit 0\(last)")
        case .exited(tempFail):
            return .retry(
                after: nil, reason: "exit 75 (EX_TEMPFAIL)\(stderrTail(result, redactor))", ambiguous: false)
        case .exited(let status):
            return .failed(reason: "exit \(status)\(stderrTail(result, redactor))")
        case .signaled(let signal) where signal == SIGKILL || signal == SIGTERM:
            return .retry(
                after: nil,
                reason:
                    "killed by \(name(signal)), not by Herald (the OOM killer, a stop?)\(stderrTail(result, redactor))"
                    + "; may have done part of its work", ambiguous: true)
        case .signaled(let signal):
            return .failed(reason: "killed by \(name(signal))\(stderrTail(result, redactor))")
        case .timedOut:
            return .retry(
                after: nil,
                reason: "still running after \(timeout.compactDescription); its process group was killed "
                    + "(may have done part of its work)\(stderrTail(result, redactor))", ambiguous: true)
        case .cancelled:
            return .retry(
                after: nil,
                reason: "cancelled while running; its process group was killed (may have done part of "
                    + "its work)", ambiguous: true)
        case .notStarted(let code):
            let text = String(cString: strerror(code))
            switch code {
            case ENOENT, EACCES, ENOEXEC, ENOTDIR, ELOOP, ENAMETOOLONG, EPERM:
                return .failed(reason: "cannot start the program: \(text)")
            default:
                return .retry(after: nil, reason: "cannot start the program now: \(text); not run", ambiguous: false)
            }
        }
    }

    /// `: stderr: line | line` from the last lines the program wrote to stderr, cleaned.
    static func stderrTail(_ result: ExecResult, _ redactor: RemoteTextRedactor) -> String {
        let lines = result.stderr.lastLines(stderrLines)
        guard !lines.isEmpty else { return "" }
        return "; stderr: " + redactor.clean(lines.joined(separator: " | "), limit: 600)
    }

    private static func name(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS",
            SIGILL: "SIGILL", SIGFPE: "SIGFPE", SIGINT: "SIGINT", SIGHUP: "SIGHUP", SIGPIPE: "SIGPIPE",
            SIGQUIT: "SIGQUIT",
        ]
        return names[signal].map { "signal \(signal) (\($0))" } ?? "signal \(signal)"
    }
}
