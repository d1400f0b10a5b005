import HeraldConfig
import HeraldCore
import HeraldJobs
import Synchronization

/// What the console reads and changes, handed over by the daemon: the job store (lists through
/// its `page`, everything else through `JobControl`, as `herald queue|dead` do), the running
/// configuration and what the daemon already counts.
package struct ConsoleContext: Sendable {
    /// The store's listing (`JobStore.page`); blocks.
    package var page: @Sendable (JobSection, JobFilter, Int) throws(JobStoreError) -> JobPage
    /// `herald queue|dead` show, retry and drop, on the same store; blocks.
    package var control: any QueueControl
    /// The store's backlog, without I/O.
    package var depth: @Sendable () -> StoreDepth?
    package var configuration: LoadedConfiguration
    package var activity: ActivityRing
    package var health: ActionHealth
    package var events: RecentEvents

    package init(
        page: @escaping @Sendable (JobSection, JobFilter, Int) throws(JobStoreError) -> JobPage,
        control: any QueueControl, depth: @escaping @Sendable () -> StoreDepth?, configuration: LoadedConfiguration,
        activity: ActivityRing, health: ActionHealth, events: RecentEvents
    ) {
        self.page = page
        self.control = control
        self.depth = depth
        self.configuration = configuration
        self.activity = activity
        self.health = health
        self.events = events
    }
}

/// The configuration in force, its warnings and when it was loaded; replaced on each reload.
package final class LoadedConfiguration: Sendable {
    package struct Snapshot: Sendable {
        package var configuration: HeraldConfiguration
        /// Rendered like `herald check` prints them (secrets already `<secret>`).
        package var warnings: String
        package var loadedAt: WallClock
        /// The main file as loaded, secrets as `<secret>`.
        package var text: String
    }

    private let state: Mutex<Snapshot>

    package init(_ configuration: HeraldConfiguration, warnings: String, loadedAt: WallClock = .now) {
        state = Mutex(
            Snapshot(
                configuration: configuration, warnings: warnings, loadedAt: loadedAt,
                text: ConfigurationText.read(configuration)))
    }

    package var current: Snapshot { state.withLock { $0 } }

    /// A reload put `configuration` in force.
    package func replace(_ configuration: HeraldConfiguration, warnings: String, loadedAt: WallClock = .now) {
        let text = ConfigurationText.read(configuration)
        state.withLock {
            $0 = Snapshot(configuration: configuration, warnings: warnings, loadedAt: loadedAt, text: text)
        }
    }
}
