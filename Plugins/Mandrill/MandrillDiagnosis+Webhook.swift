import HeraldCore

extension MandrillDiagnosis {
    /// The webhook at `ingress.mandrill_webhooks.url` must be registered (`webhooks/list`) with
    /// every event a `mandrill.<type>` route listens to (one missing fails: Mandrill would never
    /// send it); Mandrill's `last_error` for it is shown.
    func checkWebhook(_ expected: DiagnosisContext.MandrillWebhook) async -> [Finding] {
        let subject = "webhook \(expected.url)"
        let webhooks: [JSON]
        switch await call("webhooks/list") {
        case .success(let body) where body.array != nil:
            webhooks = body.array ?? []
        case let answer:
            return [unexpected(subject, answer)]
        }
        let matching = webhooks.filter { $0["url"]?.string == expected.url }
        let wanted = expected.events.isEmpty ? "" : " with the events " + expected.events.joined(separator: ", ")
        guard !matching.isEmpty else {
            return [
                Finding(
                    .fail, subject, "not registered in this Mandrill account, so Herald receives no Mandrill events",
                    fix: "add a webhook for this exact URL under Mandrill → Settings → Webhooks\(wanted) "
                        + "(or with webhooks/add), then put its key in ingress.mandrill_webhooks.keys")
            ]
        }
        let registered = Set(matching.flatMap { $0["events"]?.array?.compactMap(\.string) ?? [] })
        let missing = expected.events.filter { !registered.contains($0) }
        var findings: [Finding] = []
        if missing.isEmpty {
            let detail =
                expected.events.isEmpty
                ? "registered (no route listens to Mandrill events)"
                : "registered with every event routes listen to (\(expected.events.joined(separator: ", ")))"
            findings.append(Finding(.ok, subject, detail))
        } else {
            // Mandrill posts only the events a webhook was registered with: the routes listening
            // to the others would never run, which is a failure, not a matter of taste.
            let list = missing.joined(separator: ", ")
            findings.append(
                Finding(
                    .fail, subject,
                    "registered without \(list), which routes listen to: Mandrill never sends "
                        + "\(missing.count == 1 ? "it" : "them"), so those routes never run",
                    fix:
                        "edit the webhook under Mandrill → Settings → Webhooks to send \(missing.joined(separator: ", "))"
                ))
        }
        for webhook in matching {
            guard let error = webhook["last_error"]?.string, !error.isEmpty else { continue }
            let when = webhook["last_sent_at"]?.string.map { " (last sent \($0))" } ?? ""
            findings.append(
                Finding(
                    .warn, subject, "Mandrill's last error posting to it: \(redactor.clean(error, limit: 200))\(when)",
                    fix: "check that Mandrill reaches this URL and Herald answers it (herald's log, "
                        + "ingress.mandrill_webhooks.keys)"))
        }
        return findings
    }
}
