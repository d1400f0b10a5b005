import FoundationEssentials
import HeraldCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs programs without a shell, each on a dedicated thread that does every blocking call
/// (`posix_spawn`, `poll`, `waitpid`), so the cooperative pool never waits on a process.
///
/// The program leads a new process group (`POSIX_SPAWN_SETPGROUP`), so a timeout or a
/// cancellation kills it and everything it started with one `kill(-pgid, SIGKILL)`. Its stdin
/// is written and its stdout and stderr read continuously through non-blocking pipes, keeping
/// only their tails: a program can neither block on a full pipe nor fill Herald's memory.
enum ExecRunner {
    /// Runs `command`, killing its process group after `timeout` or when the calling task is
    /// cancelled.
    static func run(_ command: ExecCommand, timeout: Duration) async -> ExecResult {
        let stop = ExecStopSignal()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ExecResult, Never>) in
                NativeThread.start(named: "herald-exec") {
                    var run = ExecRun(command: command, deadline: .now + timeout, stop: stop)
                    continuation.resume(returning: run.execute())
                }
            }
        } onCancel: {
            stop.cancel()
        }
    }
}

/// Set from the cancellation handler, read by the run's thread between polls.
final class ExecStopSignal: Sendable {
    private let cancelled = Atomic<Bool>(false)

    func cancel() { cancelled.store(true, ordering: .relaxed) }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}

/// One run, from spawn to reap, on its own thread.
struct ExecRun {
    /// The longest a poll sleeps, so that a cancellation is seen within this.
    static let tick = 50
    /// How long output is still read after the program's group was killed or its leader exited:
    /// a process that left the group (`setsid`) could otherwise hold the pipes open forever.
    static let drainGrace = Duration.seconds(1)
    static let chunkSize = 16 * 1024

    let command: ExecCommand
    let deadline: ContinuousClock.Instant
    let stop: ExecStopSignal

    private var stdout: ExecOutputTail
    private var stderr: ExecOutputTail
    /// The parent's ends: stdin's write end, stdout's and stderr's read ends (-1 once closed).
    private var fds: [Int32] = [-1, -1, -1]
    private var written = 0

    init(command: ExecCommand, deadline: ContinuousClock.Instant, stop: ExecStopSignal) {
        self.command = command
        self.deadline = deadline
        self.stop = stop
        stdout = ExecOutputTail(limit: command.outputLimit)
        stderr = ExecOutputTail(limit: command.outputLimit)
    }

    mutating func execute() -> ExecResult {
        // A write to a pipe whose reader exited raises SIGPIPE in the writing thread; blocked
        // here, it stays pending on this thread (dropped when it ends) and the write says EPIPE.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        let pid: pid_t
        switch spawn() {
        case .success(let spawned): pid = spawned
        case .failure(let error):
            closeAll()
            return ExecResult(termination: .notStarted(error.code), stdout: stdout, stderr: stderr)
        }
        var termination: ExecResult.Termination?
        while termination == nil {
            if stop.isCancelled {
                kill(-pid, SIGKILL)
                termination = .cancelled
            } else if ContinuousClock.now >= deadline {
                kill(-pid, SIGKILL)
                termination = .timedOut
            } else if leaderExited(pid) {
                // Anything the program left running in its group dies with the job; the leader
                // is not reaped yet, so its pid, which names the group, cannot have been reused.
                kill(-pid, SIGKILL)
                break
            } else {
                pump(until: deadline)
            }
        }
        if fds[0] >= 0 { closeFD(0) }
        let drainUntil = ContinuousClock.now + Self.drainGrace
        while (fds[1] >= 0 || fds[2] >= 0) && ContinuousClock.now < drainUntil {
            pump(until: drainUntil)
        }
        closeAll()
        let status = reap(pid)
        if termination == nil {
            let signal = status & 0x7F
            termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        }
        return ExecResult(termination: termination ?? .cancelled, stdout: stdout, stderr: stderr)
    }

    /// Starts the program in a new process group with the pipes as its stdio.
    private mutating func spawn() -> Result<pid_t, SpawnError> {
        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            var pair: [Int32] = [-1, -1]
            guard SpawnExtensions.pipe2(&pair, O_CLOEXEC) == 0 else {
                let code = errno
                for opened in pipes { for fd in opened { close(fd) } }
                return .failure(SpawnError(code))
            }
            pipes.append(pair)
        }
        // The child's ends: stdin's read end, stdout's and stderr's write ends.
        let child = [pipes[0][0], pipes[1][1], pipes[2][1]]
        fds = [pipes[0][1], pipes[1][0], pipes[2][0]]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        defer { for fd in child { close(fd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (index, fd) in child.enumerated() { posix_spawn_file_actions_adddup2(&actions, fd, Int32(index)) }
        // Whatever Herald has open without O_CLOEXEC stays out of the child.
        _ = SpawnExtensions.addCloseFrom?(&actions, 3)
        if let directory = command.workingDirectory {
            guard let addChdir = SpawnExtensions.addChdir else { return .failure(SpawnError(ENOSYS)) }
            let code = addChdir(&actions, directory)
            guard code == 0 else { return .failure(SpawnError(code)) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        // Signals a daemon ignores stay ignored across exec; the program gets the defaults.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = command.arguments.map { strdup($0) } + [nil]
        let envp = command.environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        // Registered as it starts, so that Herald as PID 1 (ChildReaper) leaves its exit status
        // to `reap` below.
        var code: Int32 = 0
        let spawned = ChildProcesses.shared.spawn { () -> pid_t? in
            var pid: pid_t = 0
            code =
                command.searchesPath
                ? posix_spawnp(&pid, command.program, &actions, &attributes, argv, envp)
                : posix_spawn(&pid, command.program, &actions, &attributes, argv, envp)
            return code == 0 ? pid : nil
        }
        guard let pid = spawned else {
            return .failure(SpawnError(code))
        }
        if command.input.isEmpty { closeFD(0) }
        return .success(pid)
    }

    /// Waits up to one tick (or `limit`) for the pipes, then writes and reads what they allow.
    private mutating func pump(until limit: ContinuousClock.Instant) {
        var polled: [pollfd] = []
        var which: [Int] = []
        for index in 0..<3 where fds[index] >= 0 {
            polled.append(pollfd(fd: fds[index], events: Int16(index == 0 ? POLLOUT : POLLIN), revents: 0))
            which.append(index)
        }
        let remaining = ContinuousClock.now.duration(to: limit)
        let wait = max(0, min(Self.tick, Int((remaining / .milliseconds(1)).rounded(.up))))
        guard !polled.isEmpty else {
            usleep(UInt32(wait) * 1000)
            return
        }
        let ready = poll(&polled, nfds_t(polled.count), Int32(wait))
        guard ready > 0 else { return }
        for (slot, entry) in polled.enumerated() where entry.revents != 0 {
            if which[slot] == 0 { writeInput() } else { readOutput(which[slot]) }
        }
    }

    private mutating func writeInput() {
        let input = command.input
        let count = input[written...].withUnsafeBytes { write(fds[0], $0.baseAddress, $0.count) }
        if count > 0 {
            written += count
            if written == input.count { closeFD(0) }
        } else if count < 0, errno != EAGAIN, errno != EINTR {
            // EPIPE: the program exited or closed stdin without reading it all, which is its call.
            closeFD(0)
        }
    }

    private mutating func readOutput(_ index: Int) {
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        let count = buffer.withUnsafeMutableBytes { read(fds[index], $0.baseAddress, $0.count) }
        if count > 0 {
            buffer.withUnsafeBytes { bytes in
                let chunk = UnsafeRawBufferPointer(rebasing: bytes[..<count])
                if index == 1 { stdout.append(chunk) } else { stderr.append(chunk) }
            }
        } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
            closeFD(index)
        }
    }

    /// True once the program itself exited; it stays a zombie (not reaped) until `reap`.
    private func leaderExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        return result == 0 && info.si_signo != 0
    }

    /// Waits for the program's exit status (it has exited or been killed by now), then lets a
    /// reaper have the pid.
    private func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        ChildProcesses.shared.release(pid)
        return status
    }

    private mutating func closeFD(_ index: Int) {
        guard fds[index] >= 0 else { return }
        close(fds[index])
        fds[index] = -1
    }

    private mutating func closeAll() {
        for index in 0..<3 { closeFD(index) }
    }
}

/// Why a program could not be started: an `errno` value.
struct SpawnError: Error {
    let code: Int32

    init(_ code: Int32) {
        self.code = code
    }
}

/// glibc's `pipe2`, `posix_spawn_file_actions_addchdir_np` and `…_addclosefrom_np` (2.9, 2.29,
/// 2.34), which the Glibc module does not import (they are behind `_GNU_SOURCE`): looked up once
/// by name.
enum SpawnExtensions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddChdir =
        @convention(c) (
            UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?
        ) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// Both ends close-on-exec from the start, so no program spawned meanwhile by another thread
    /// inherits them (pipe() and then fcntl would leave that window open).
    static func pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32 {
        guard let function = pipe2Function else { return -1 }
        return function(fds, flags)
    }

    private static let pipe2Function: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

    static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map {
        unsafeBitCast($0, to: AddChdir.self)
    }
    static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }
}
