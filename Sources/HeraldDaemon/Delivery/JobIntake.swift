import HeraldCore

/// Where the ingress hands the jobs of an accepted event: the seam where the durable spool goes.
///
/// `accept` calls `completion` exactly once, when every job is stored (on disk, for the spool)
/// or when they cannot be; only then does the ingress answer Ory.
public protocol JobIntake: Sendable {
    func accept(_ jobs: [Job], completion: @escaping @Sendable (Result<Void, IntakeError>) -> Void)
    /// False when new jobs cannot be taken (disk full, shutting down): `/readyz` answers 503.
    var isReady: Bool { get }
}

/// Why jobs could not be taken; the ingress answers 503 so that Kratos retries.
public struct IntakeError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
