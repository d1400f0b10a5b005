import HeraldCore

extension MandrillDiagnosis {
    /// Every `from` domain (the action's, and each step's constant one) must be a sending domain
    /// of the account, verified, with valid SPF and DKIM: accounts created since 2015-12 have
    /// every message from another domain rejected as `unsigned` (reference/mandrill-api.md).
    func checkDomains(_ steps: [(route: String, step: MandrillStep)]) async -> [Finding] {
        var domains: [String] = []
        var findings: [Finding] = []
        func add(_ address: String) {
            guard let at = address.lastIndex(of: "@") else { return }
            let domain = address[address.index(after: at)...].lowercased()
            if !domain.isEmpty, !domains.contains(domain) { domains.append(domain) }
        }
        if let from = settings.from { add(from.email) }
        for (route, step) in steps {
            guard let from = step.email.from else { continue }
            if from.email.isConstant {
                add(from.email.source)
            } else {
                findings.append(
                    Finding(
                        .warn, "from \(from.email.source) (route \(route))",
                        "depends on the event, so its domain cannot be checked",
                        fix: "make sure every domain it can give is a verified Mandrill sending domain"))
            }
        }
        guard !domains.isEmpty else { return findings }
        let listed: [JSON]
        switch await call("senders/domains") {
        case .success(let body) where body.array != nil:
            listed = body.array ?? []
        case let answer:
            return findings + domains.map { unexpected("sending domain \($0)", answer) }
        }
        for domain in domains {
            let subject = "sending domain \(domain)"
            guard listed.contains(where: { $0["domain"]?.string?.lowercased() == domain }) else {
                findings.append(
                    Finding(
                        .fail, subject, "not a sending domain of this Mandrill account",
                        fix: "add it under Mandrill → Settings → Sending Domains, verify it and publish its SPF "
                            + "and DKIM records"))
                continue
            }
            // Asked only about a listed domain: check-domain adds any domain it does not know.
            switch await call("senders/check-domain", ["domain": .string(domain)]) {
            case .success(let body) where body.object != nil:
                findings.append(finding(subject, body))
            case let answer:
                findings.append(unexpected(subject, answer))
            }
        }
        return findings
    }

    /// The finding for `senders/check-domain`'s answer about one domain.
    private func finding(_ subject: String, _ domain: JSON) -> Finding {
        var problems: [String] = []
        var fixes: [String] = []
        if domain["verified_at"]?.string?.isEmpty ?? true {
            problems.append("not verified")
            fixes.append("verify it under Mandrill → Settings → Sending Domains (the TXT record or the email)")
        }
        for (name, record) in [("SPF", "spf"), ("DKIM", "dkim")] where domain[record]?["valid"] != .bool(true) {
            var problem = "\(name) invalid"
            if let error = domain[record]?["error"]?.string, !error.isEmpty {
                problem += " (\(redactor.clean(error, limit: 120)))"
            }
            problems.append(problem)
        }
        if problems.contains(where: { $0.hasPrefix("SPF") }) {
            fixes.append("add include:spf.mandrillapp.com to the domain's SPF record")
        }
        if problems.contains(where: { $0.hasPrefix("DKIM") }) {
            fixes.append("publish the mandrill._domainkey TXT record Mandrill shows for the domain")
        }
        guard !problems.isEmpty else { return Finding(.ok, subject, "verified, SPF and DKIM valid") }
        return Finding(.fail, subject, problems.joined(separator: ", "), fix: fixes.joined(separator: "; "))
    }
}
