import HeraldCore

/// A job that will not be performed again on its own: it failed permanently or grew older than
/// `max_age`. Kept with its reason, attempts and last answer.
public struct DeadLetter: Sendable {
    public let job: Job
    public let reason: String
    public let diedAt: WallClock
}
