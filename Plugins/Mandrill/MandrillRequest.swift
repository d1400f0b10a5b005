import HeraldCore

/// A job's payload made ready to send: the body of `messages/send` or `messages/send-template`
/// exactly as the OpenAPI description has it, with the API key and Herald's trace fields added.
struct MandrillRequest: Sendable {
    let endpoint: MandrillEndpoint
    /// The request body, `key` first (for `messages/send-template`, with the first template name).
    let body: JSON
    /// The template names to try in order (`template_name`, then the job's `template_fallbacks`);
    /// empty for `messages/send`.
    let templateNames: [String]
    /// Recipients sent to (their addresses, for masked notes).
    let recipients: [String]
    /// Recipients left out because their address cannot be one (for the outcome's reason).
    let skipped: [String]

    /// Why a payload cannot be sent as it is; such a job fails without calling Mandrill.
    struct Rejection: Error, Sendable {
        let reason: String
    }

    /// Builds the request for `job`, or says why it cannot be sent.
    ///
    /// - Throws: `Rejection` when the payload is not a Mandrill request, has no valid recipient,
    ///   an empty template name or a malformed `send_at`.
    static func prepare(
        _ job: Job, apiKey: String, redactor: RemoteTextRedactor = RemoteTextRedactor(secrets: [])
    ) throws(Rejection) -> MandrillRequest {
        guard let name = job.payload["endpoint"]?.string, let endpoint = MandrillEndpoint(rawValue: name),
            var request = job.payload["request"]?.object, var message = request["message"]?.object
        else { throw Rejection(reason: "the job payload is not a Mandrill request") }

        var kept: [JSON] = []
        var recipients: [String] = []
        var skipped: [String] = []
        for entry in message["to"]?.array ?? [] {
            let address = entry["email"]?.string ?? ""
            if EmailAddress(email: address).looksValid {
                kept.append(entry)
                recipients.append(address)
            } else if !address.isEmpty {
                skipped.append(address)
            }
        }
        guard !kept.isEmpty else {
            let detail =
                skipped.isEmpty ? "" : " (not addresses: \(skipped.map(maskPersonalData).joined(separator: ", ")))"
            throw Rejection(reason: "no valid recipient\(detail); not sent")
        }
        message["to"] = .array(kept)

        var templateNames: [String] = []
        if endpoint == .sendTemplate {
            let template = request["template_name"]?.string ?? ""
            guard !template.isEmpty else { throw Rejection(reason: "the template name rendered empty; not sent") }
            if request["template_content"] == nil { request["template_content"] = [] }
            templateNames = [template]
            for name in job.payload["template_fallbacks"]?.array ?? [] {
                if let name = name.string, !name.isEmpty, !templateNames.contains(name) { templateNames.append(name) }
            }
        }
        if let sendAt = request["send_at"]?.string, !MandrillNames.isSendAt(sendAt) {
            throw Rejection(
                reason: "send_at '\(redactor.clean(sendAt, limit: 40))' is not YYYY-MM-DD HH:MM:SS; not sent")
        }

        var metadata = message["metadata"]?.object ?? [:]
        metadata["herald_job"] = .string(job.id.description)
        metadata["herald_event"] = .string(job.eventID.description)
        message["metadata"] = .object(metadata)
        request["message"] = .object(message)

        var body: JSONObject = ["key": .string(apiKey)]
        for (key, value) in request where key != "key" { body[key] = value }
        return MandrillRequest(
            endpoint: endpoint, body: .object(body), templateNames: templateNames, recipients: recipients,
            skipped: skipped)
    }

    /// The body with `template_name` set to `name` (the body itself when `name` is nil).
    func body(template name: String?) -> JSON {
        guard let name, var object = body.object else { return body }
        object["template_name"] = .string(name)
        return .object(object)
    }
}
