import HeraldConfig
import HeraldJobs
import Synchronization

/// What a loaded configuration decides for a running daemon, built whole before anything uses
/// it: the ingress's rules and credentials, the executor's actions, limits and retry policy.
/// Immutable; reload swaps it for a new one in one step (`ConfigurationReload`). A class, so that
/// reading it on the request path costs one retain, not a copy of every field.
final class DaemonSnapshot: Sendable {
    let configuration: HeraldConfiguration
    let ingress: IngressResponder.Snapshot
    let delivery: DeliverySnapshot

    init(_ configuration: HeraldConfiguration) {
        self.configuration = configuration
        ingress = IngressResponder.snapshot(of: configuration)
        delivery = DeliverySnapshot(configuration)
    }
}

/// The one place the running snapshot lives: the ingress and the executor read it for each
/// event and each round; only `ConfigurationReload` replaces it.
final class RunningConfiguration: Sendable {
    private let snapshot: Mutex<DaemonSnapshot>

    init(_ configuration: HeraldConfiguration) {
        snapshot = Mutex(DaemonSnapshot(configuration))
    }

    /// The snapshot in force now.
    var current: DaemonSnapshot { snapshot.withLock { $0 } }

    /// Puts `next` in force for every event and attempt from now on.
    func replace(with next: DaemonSnapshot) {
        snapshot.withLock { $0 = next }
    }
}
