import Glibc
import HeraldCore
import Testing

/// The registry that keeps a reaper (Herald as PID 1) off the children an owner waits for.
@Suite struct ChildProcessesTests {
    /// Starts `/bin/sh -c script`; nil when it could not be started.
    static func start(_ script: String) -> pid_t? {
        let words: [String] = ["/bin/sh", "-c", script]
        let argv = words.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        return posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 ? pid : nil
    }

    /// Waits until `pid` has exited, without reaping it (what the reaper sees).
    static func waitUntilExited(_ pid: pid_t) {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
    }

    @Test func aRegisteredChildIsLeftToItsOwnerWithItsExitStatus() throws {
        let children = ChildProcesses()
        let pid = try #require(children.spawn { Self.start("exit 3") })
        #expect(children.owns(pid))
        Self.waitUntilExited(pid)

        #expect(children.reapUnlessOwned(pid) == .owned)
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect((status >> 8) & 0xFF == 3)
        children.release(pid)
        #expect(!children.owns(pid))
    }

    @Test func anUnregisteredChildIsReaped() throws {
        let children = ChildProcesses()
        let pid = try #require(Self.start("exit 0"))
        Self.waitUntilExited(pid)

        #expect(children.reapUnlessOwned(pid) == .reaped)
        var status: Int32 = 0
        #expect(waitpid(pid, &status, WNOHANG) == -1)
        #expect(errno == ECHILD)
    }

    @Test func aChildThatFailedToStartIsNotRegistered() {
        let children = ChildProcesses()
        #expect(children.spawn { nil } == nil)
    }
}
