import HeraldCore

/// A compiled `do:` step of a Kratos action. Planning renders the whole request except the
/// token, so the spool holds, and `herald explain` shows, the exact patch Kratos will get:
///
/// ```json
/// {"identity": "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20",
///  "patch": [{"op": "add", "path": "/metadata_admin/email_undeliverable", "value": true}]}
/// ```
///
/// Jobs for one identity are performed in the order they were planned (the identity id is the
/// ordering key), so two patches of the same key land as the events came.
struct KratosStep: ActionStep {
    /// At most this many operations in a step's `patch:`.
    static let maxOperations = 50

    let action: String
    let identity: Template
    let operations: [KratosPatchOperation]

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        let id = identity.render(event, report: &report).trimmingSpaces()
        guard !id.isEmpty else {
            return .nothing(because: "the identity id '\(identity.source)' rendered empty")
        }
        let patch = operations.flatMap { $0.rendered(event, report: &report) }
        return PlannedJob(payload: ["identity": .string(id), "patch": .array(patch)], orderingKey: id)
    }
}
