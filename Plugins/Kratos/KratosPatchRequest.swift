import HeraldCore

/// A job's payload made ready to send: the identity to patch and the JSON Patch body.
struct KratosPatchRequest: Sendable {
    /// The identity's UUID, lower-cased.
    let identity: String
    /// The serialized JSON Patch document.
    let body: [UInt8]
    /// How many operations it has (for the log).
    let operations: Int

    /// Why a payload cannot be sent; such a job fails without calling Kratos.
    struct Rejection: Error, Sendable {
        let reason: String
    }

    /// Reads the payload a `KratosStep` planned.
    ///
    /// - Throws: `Rejection` when the payload is not a Kratos patch, or the identity id is not a
    ///   UUID (Kratos reads any other id as the nil UUID and answers 404, which would look like a
    ///   deleted identity).
    static func prepare(
        _ job: Job, redactor: RemoteTextRedactor = RemoteTextRedactor(secrets: [])
    ) throws(Rejection) -> KratosPatchRequest {
        guard let identity = job.payload["identity"]?.string, let patch = job.payload["patch"]?.array,
            !patch.isEmpty
        else { throw Rejection(reason: "the job payload is not a Kratos identity patch") }
        guard UUIDText.isValid(identity) else {
            throw Rejection(
                reason: "the identity id '\(redactor.clean(identity, limit: 60))' is not a UUID; not sent")
        }
        return KratosPatchRequest(
            identity: identity.lowercased(), body: JSON.array(patch).serialized(), operations: patch.count)
    }
}
