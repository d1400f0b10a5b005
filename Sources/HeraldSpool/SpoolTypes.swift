import HeraldCore

/// Settings of a spool; the defaults suit the daemon.
package struct SpoolOptions: Sendable {
    /// A segment is closed and a new one started once it would grow past this size.
    package var segmentSize: Int = 64 << 20
    /// How far ahead of the active segment's end zeros are written and synced in the
    /// background, so that appends do not grow the file (an fdatasync that need not write the
    /// inode and block bitmaps too takes about half as long); 0 turns it off.
    package var preallocation: Int = 16 << 20
    /// At most this many bytes go into one write + fdatasync.
    package var maxBatchBytes: Int = 8 << 20
    /// Appends are refused (`SpoolError.overloaded`) while more than this many bytes wait.
    package var maxQueuedBytes: Int = 64 << 20
    /// The largest record accepted (a job with its payload); at most `recordLimit`.
    package var maxRecordBytes: Int = 16 << 20
    /// The largest record recovery accepts, whatever `maxRecordBytes` says now (so that lowering
    /// the setting never turns stored records into "corrupt" ones).
    package static let recordLimit = 64 << 20
    /// The largest segment size (record offsets are 32-bit).
    package static let segmentLimit = 1 << 30
    /// Dedupe keys kept at most; beyond it the oldest are forgotten early.
    package var dedupeCapacity: Int = 1_000_000
    /// The old segments are compacted when at most this share of their bytes is still live.
    package var compactionThreshold: Double = 0.5
    /// How often the compactor looks for work, besides whenever a segment is closed; nil: no
    /// automatic compaction, only when `compact()` is called (for tests and tools).
    package var compactionInterval: Duration? = .seconds(30)
    /// After a failed write, how often to try a fresh segment while no appends come in.
    package var recoveryProbeInterval: Duration = .seconds(1)
    /// How long `Spool.open` waits for a lock another process holds before it reports
    /// `SpoolError.locked`.
    package var lockWait: Duration = .milliseconds(500)
    /// The clock that decides which dedupe keys have expired.
    package var clock: any TimeSource = SystemTimeSource()

    package init() {}
}

/// What the scheduler needs to know of a queued job; the job itself is read with `Spool.job(_:)`
/// when it is about to run.
package struct JobSummary: Sendable, Hashable {
    package var id: TimeOrderedID
    package var action: String
    /// Jobs with the same group are performed in the order they were planned: a 64-bit digest of
    /// the action and the ordering key (nil when the job has none). A collision between two keys
    /// only makes their jobs wait for each other.
    package var orderingGroup: UInt64?
    package var createdAt: WallClock
    package var notBefore: WallClock
    package var attempts: Int

    package init(
        id: TimeOrderedID, action: String, orderingGroup: UInt64?, createdAt: WallClock, notBefore: WallClock,
        attempts: Int
    ) {
        self.id = id
        self.action = action
        self.orderingGroup = orderingGroup
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.attempts = attempts
    }
}

/// A dead letter in a listing.
package struct DeadLetterSummary: Sendable {
    package var id: TimeOrderedID
    package var action: String
    package var attempts: Int
    package var createdAt: WallClock
    package var diedAt: WallClock
    package var reason: String
    package var lastAnswer: String?
}

/// A dead letter with its job.
package struct DeadJob: Sendable {
    package var job: Job
    package var diedAt: WallClock
    package var reason: String
    package var lastAnswer: String?
}

/// Figures for metrics and `/readyz`.
package struct SpoolStatistics: Sendable {
    /// Live (not dead) jobs.
    package var depth: Int
    package var deadLetters: Int
    /// When the oldest live job was created.
    package var oldestCreatedAt: WallClock?
    package var dedupeKeys: Int
    /// Dedupe keys forgotten before they expired because the table was full.
    package var dedupeKeysEvicted: Int
    package var segments: Int
    package var bytesOnDisk: Int64
    /// Bytes of records still needed (jobs, dead letters, dedupe keys).
    package var liveBytes: Int64
    package var isWritable: Bool
    /// The last append failure, while the spool is not writable.
    package var lastError: SpoolError?
}
