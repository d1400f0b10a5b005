/// Everything one run of a program needs, fixed before it starts.
struct ExecCommand: Sendable {
    /// An absolute path, or a bare name looked up in Herald's own `PATH` when `searchesPath`.
    var program: String
    var searchesPath: Bool
    /// `argv`, with `argv[0]` first.
    var arguments: [String]
    /// The whole environment, as `NAME=value`: nothing is inherited.
    var environment: [String]
    /// The directory to start in; nil for Herald's own.
    var workingDirectory: String?
    /// Written to the program's standard input, which is then closed.
    var input: [UInt8]
    /// At most this many bytes of each of stdout and stderr are kept (their tails).
    var outputLimit: Int
}

/// How a run ended.
struct ExecResult: Sendable {
    enum Termination: Sendable, Equatable {
        /// The program exited with this status.
        case exited(Int32)
        /// A signal Herald did not send ended it.
        case signaled(Int32)
        /// It ran past its timeout, and its process group was killed.
        case timedOut
        /// The job's task was cancelled (shutdown), and its process group was killed.
        case cancelled
        /// It could not be started: `errno` of `posix_spawn`, or of what prepared it.
        case notStarted(Int32)
    }

    var termination: Termination
    var stdout: ExecOutputTail
    var stderr: ExecOutputTail
}
