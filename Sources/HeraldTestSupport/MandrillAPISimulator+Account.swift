import HeraldCore

/// A sending domain of the simulated account, as `senders/domains` lists it.
package struct MandrillSendingDomain: Sendable, Equatable {
    package var domain: String
    /// Ownership verified (`verified_at` set).
    package var verified: Bool
    package var spfValid: Bool
    package var dkimValid: Bool

    package init(_ domain: String, verified: Bool = true, spfValid: Bool = true, dkimValid: Bool = true) {
        self.domain = domain
        self.verified = verified
        self.spfValid = spfValid
        self.dkimValid = dkimValid
    }

    /// The `SendersSenderDomain` object; an unverified domain has no `verified_at` (the spec
    /// types it a string, not nullable).
    var json: JSON {
        var object: JSONObject = [
            "domain": .string(domain), "created_at": "2024-03-01 10:00:00", "last_tested_at": "2026-11-30 08:00:00",
            "spf": Self.detail(spfValid, error: "no SPF record includes spf.mandrillapp.com"),
            "dkim": Self.detail(dkimValid, error: "no DKIM record found at mandrill._domainkey.\(domain)"),
            "valid_signing": .bool(spfValid && dkimValid), "verify_txt_key": "mandrill_verify.herald-test",
        ]
        if verified { object["verified_at"] = "2024-03-01 10:05:00" }
        return .object(object)
    }

    private static func detail(_ valid: Bool, error: String) -> JSON {
        valid ? ["valid": true, "valid_after": "2026-11-30 08:00:00"] : ["valid": false, "error": .string(error)]
    }
}

/// A webhook of the simulated account, as `webhooks/list` lists it.
package struct MandrillWebhookRegistration: Sendable, Equatable {
    package var url: String
    package var events: [String]
    package var lastError: String?

    package init(url: String, events: [String], lastError: String? = nil) {
        self.url = url
        self.events = events
        self.lastError = lastError
    }

    /// The `Webhook` object; `id` is its 1-based position.
    func json(id: Int) -> JSON {
        [
            "id": .int(Int64(id)), "url": .string(url), "auth_key": "gplJ8yWptFTqCoq5S1SHPA", "description": nil,
            "events": .array(events.map(JSON.string)), "created_at": "2026-01-05 15:30:27.123456",
            "last_sent_at": lastError == nil ? nil : "2026-11-30 07:59:12", "batches_sent": 3, "events_sent": 7,
            "last_error": lastError.map(JSON.string) ?? nil,
        ]
    }
}

extension MandrillAPISimulator {
    /// The read-only account operations `herald doctor` uses; the request was validated already.
    func respondAboutAccount(_ operation: String, body: JSON) -> MandrillTestResponse? {
        switch operation {
        case "/senders/domains":
            return .json(200, .array(domains.map(\.json)))
        case "/senders/check-domain":
            let name = body["domain"]?.string?.lowercased() ?? ""
            // Mandrill adds a domain it does not know (unverified, no valid records) and answers
            // for it; the simulator answers the same but keeps nothing, so a test sees the call.
            let domain =
                domains.first { $0.domain.lowercased() == name }
                ?? MandrillSendingDomain(name, verified: false, spfValid: false, dkimValid: false)
            return .json(200, domain.json)
        case "/templates/info":
            let name = body["name"]?.string ?? ""
            guard templates.contains(name) || draftTemplates.contains(name) else {
                return error(404, code: 5, name: "Unknown_Template", message: "No such template \"\(name)\"")
            }
            return .json(200, Self.templateJSON(name, published: templates.contains(name)))
        case "/webhooks/list":
            return .json(200, .array(webhooks.enumerated().map { $0.element.json(id: $0.offset + 1) }))
        default:
            return nil
        }
    }

    /// The `TemplatesTemplate` object; a draft has null `published_at` and `publish_*` values.
    static func templateJSON(_ name: String, published: Bool) -> JSON {
        let code: JSON = .string("<p>Hello *|FNAME|*</p>")
        return [
            "slug": .string(name), "name": .string(name), "labels": [], "code": code, "subject": "Welcome",
            "from_email": "hello@example.com", "from_name": "Example", "text": nil,
            "publish_name": .string(name), "publish_code": published ? code : nil,
            "publish_subject": published ? "Welcome" : nil,
            "publish_from_email": published ? "hello@example.com" : nil,
            "publish_from_name": published ? "Example" : nil, "publish_text": nil,
            "published_at": published ? "2026-02-01 09:00:00" : nil, "created_at": "2026-01-05 15:30:27.12345",
            "updated_at": "2026-02-01 09:00:00.54321", "draft_updated_at": "2026-02-01 09:00:00",
            "is_broken_template": false,
        ]
    }
}
