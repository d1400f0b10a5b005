import FoundationEssentials
import HeraldCore

/// `herald doctor` for one Mailchimp action: the key, every audience a route uses and every merge
/// field an upsert sets, checked with GET requests only (reference/mailchimp-marketing.md).
struct MailchimpDiagnosis: Sendable {
    let action: String
    let settings: MailchimpSettings
    let transport: MailchimpTransport
    let redactor: RemoteTextRedactor
    let deadline: ContinuousClock.Instant

    /// What one GET gave.
    enum Answer {
        case success(JSON)
        /// Mailchimp's problem document, summarised and cleaned.
        case refused(status: Int, title: String, summary: String)
        /// No usable answer: the reason, ready to print.
        case unusable(String)
    }

    /// `GET {base_url}{path}`.
    func get(_ path: String) async -> Answer {
        guard let url = URL(string: settings.baseURL + path) else {
            return .unusable("cannot form a URL from base_url \(settings.baseURL)")
        }
        let timeout = min(settings.timeout, ContinuousClock.now.duration(to: deadline))
        guard timeout > .milliseconds(10) else { return .unusable("no time left to ask GET \(path)") }
        let response: MailchimpResponse
        do {
            response = try await transport.send("GET", url, body: nil, timeout: timeout)
        } catch {
            return .unusable("no answer to GET \(path) (\(MailchimpTransport.describe(error)))")
        }
        if response.status == 200, let json = try? JSONDocument(parsing: response.body).root.json {
            return .success(json)
        }
        if let problem = MailchimpProblem(response.body) {
            return .refused(
                status: response.status, title: redactor.clean(problem.title, limit: 60),
                summary: problem.summary(redactor))
        }
        return .unusable(
            "GET \(path): Mailchimp answered HTTP \(response.status) "
                + (response.body.isEmpty ? "with an empty body" : "with \(redactor.excerpt(response.body))"))
    }

    func unexpected(_ subject: String, _ answer: Answer) -> Finding {
        let fix = "check that Herald reaches \(settings.baseURL), then run herald doctor again"
        switch answer {
        case .success: return Finding(.fail, subject, "Mailchimp's answer is not what its API describes", fix: fix)
        case .refused(let status, _, let summary):
            return Finding(.fail, subject, "cannot check: HTTP \(status) \(summary)", fix: fix)
        case .unusable(let reason): return Finding(.fail, subject, "cannot check: \(reason)", fix: fix)
        }
    }

    /// The key first (`GET /ping`), then each audience with its merge fields.
    func run(_ context: DiagnosisContext) async -> [Finding] {
        let key = await checkKey()
        guard key.status == .ok else { return [key] }
        var lists = [settings.listID]
        var fields: [String: [(tag: String, route: String)]] = [:]
        for use in context.uses {
            guard let step = use.step as? MailchimpStep else { continue }
            if !lists.contains(step.listID) { lists.append(step.listID) }
            for (tag, _) in step.mergeFields where !(fields[step.listID] ?? []).contains(where: { $0.tag == tag }) {
                fields[step.listID, default: []].append((tag, use.route))
            }
        }
        var findings = [key]
        for list in lists {
            findings += await checkAudience(list, fields: fields[list] ?? [])
        }
        return findings
    }

    func checkKey() async -> Finding {
        let subject = "API key"
        switch await get("/ping") {
        case .success(let body) where body["health_status"]?.string != nil:
            return Finding(.ok, subject, "works (GET /ping)")
        case .refused(let status, _, let summary) where status == 401 || status == 403:
            return Finding(
                .fail, subject, "Mailchimp refused it (\(summary)); nothing else was checked",
                fix: "set actions.\(action).api_key to a key from Mailchimp → Profile → Extras → API keys, "
                    + "with its data center suffix (-us21)")
        case let answer:
            return unexpected(subject, answer)
        }
    }

    /// `GET /lists/{id}`, then `GET /lists/{id}/merge-fields` for the tags steps set.
    func checkAudience(_ list: String, fields: [(tag: String, route: String)]) async -> [Finding] {
        let subject = "audience \(list)"
        switch await get("/lists/\(list)") {
        case .success(let body) where body["id"]?.string == list:
            let name = body["name"]?.string.map { " (\(redactor.clean($0, limit: 80)))" } ?? ""
            var findings = [Finding(.ok, subject, "exists\(name)")]
            if !fields.isEmpty { findings += await checkMergeFields(list, fields: fields) }
            return findings
        case .refused(let status, _, _) where status == 404:
            return [
                Finding(
                    .fail, subject, "does not exist in this Mailchimp account",
                    fix: "set list_id to the id under Audience → Settings → Audience name and defaults")
            ]
        case let answer:
            return [unexpected(subject, answer)]
        }
    }

    private func checkMergeFields(_ list: String, fields: [(tag: String, route: String)]) async -> [Finding] {
        // 1,000 is the most one page holds; an audience has at most a few dozen merge fields.
        switch await get("/lists/\(list)/merge-fields?count=1000") {
        case .success(let body) where body["merge_fields"]?.array != nil:
            let existing = Set((body["merge_fields"]?.array ?? []).compactMap { $0["tag"]?.string })
            return fields.map { field in
                let subject = "merge field \(field.tag) of audience \(list) (route \(field.route))"
                guard existing.contains(field.tag) else {
                    return Finding(
                        .fail, subject, "does not exist",
                        fix: "add it under Audience → Settings → Audience fields and *|MERGE|* tags, or remove "
                            + "it from the route")
                }
                return Finding(.ok, subject, "exists")
            }
        case let answer:
            return fields.map { unexpected("merge field \($0.tag) of audience \(list) (route \($0.route))", answer) }
        }
    }
}
