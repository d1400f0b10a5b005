import FoundationEssentials
import Glibc
import HeraldCore

/// Herald as PID 1 (a container's init): reaps the orphans the kernel hands to it, which nothing
/// else would, without taking the exit status of a child its owner waits for (`ChildProcesses`).
///
/// Orphans come from programs the exec plugin ran that left children behind, and from whatever
/// `podman exec` or `kubectl exec` started in the container whose parent went away. Unreaped,
/// each stays a zombie holding a pid until the container's pid limit refuses every new process.
///
/// One thread blocks in `waitid(P_ALL, WEXITED | WNOWAIT)`, which reports an ended child without
/// reaping it; the registry then reaps it only when no owner registered it. While the first ended
/// child is a registered one, the thread waits for its owner to release it. With no children at
/// all (`ECHILD`) it looks again when one is started, or after `idleInterval`: an orphan can be
/// handed over at any time by a process outside Herald's own tree (an `exec` into the container).
enum ChildReaper {
    static let idleInterval: Duration = .seconds(1)
    /// How long to wait for a registered child's owner before looking again anyway.
    static let ownerInterval: Duration = .seconds(1)

    /// Starts the reaper when this process is PID 1; returns whether it did.
    @discardableResult
    static func startIfProcessOne(logger: Logger, children: ChildProcesses = .shared) -> Bool {
        guard getpid() == 1 else { return false }
        NativeThread.start(named: "herald-reaper") { run(children) }
        logger.info("running as PID 1: reaping orphaned processes")
        return true
    }

    /// The thread's loop; never returns (the process ends with it).
    private static func run(_ children: ChildProcesses) -> Never {
        while true {
            var info = siginfo_t()
            guard waitid(P_ALL, 0, &info, WEXITED | WNOWAIT) == 0 else {
                if errno != EINTR { children.waitForChange(timeout: idleInterval) }
                continue
            }
            let pid = info._sifields._sigchld.si_pid
            guard pid > 0 else { continue }
            if children.reapUnlessOwned(pid) == .owned {
                children.waitForChange(timeout: ownerInterval)
            }
        }
    }
}
