import HeraldCore

/// What `herald queue|dead` ask of a store, answered as JSON: the local spool (`SpoolControl`,
/// through the daemon's control socket when it runs) or PostgreSQL (`PostgresControl`, directly).
package protocol QueueControl: Sendable {
    func list(_ section: SpoolControl.Section, limit: Int, filter: JobFilter) throws(ControlError) -> JSON
    func retryDead(matching filter: JobFilter, dryRun: Bool) throws(ControlError) -> JSON
    func show(_ section: SpoolControl.Section, _ id: TimeOrderedID) throws(ControlError) -> JSON
    func retry(_ section: SpoolControl.Section, _ id: TimeOrderedID) throws(ControlError) -> JSON
    func drop(_ section: SpoolControl.Section, _ id: TimeOrderedID) throws(ControlError) -> JSON
}
