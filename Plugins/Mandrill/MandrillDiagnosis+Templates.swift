import HeraldCore

extension MandrillDiagnosis {
    /// A template name a step can send with, and what a missing one means.
    struct TemplateName: Equatable {
        let name: String
        let route: String
        /// Names tried after this one when Mandrill does not know it; empty for the last.
        let fallbacks: [String]
    }

    /// Every template name a route can send with must exist and be published. Constant names are
    /// checked as they are; a name that depends on the event (`welcome-{{event.locale | language}}`)
    /// is checked for each of `locales` when it depends on the locale alone, and otherwise
    /// reported as not enumerable.
    func checkTemplates(_ steps: [(route: String, step: MandrillStep)], locales: [String]) async -> [Finding] {
        var names: [TemplateName] = []
        var findings: [Finding] = []
        for (route, step) in steps where !step.templates.isEmpty {
            let (known, unknown) = Self.names(step, locales: locales)
            for name in known where !names.contains(where: { $0.name == name.name }) {
                // What Mandrill tries when it does not know this one: the later names.
                let later =
                    known.filter { $0.position > name.position }.map(\.name)
                    + unknown.filter { $0.position > name.position }.map(\.template.source)
                names.append(TemplateName(name: name.name, route: route, fallbacks: later))
            }
            for (template, _) in unknown {
                let hint =
                    locales.isEmpty
                    ? "name the locales your users have with --locales (such as --locales en,de,fr)"
                    : "make sure a template exists for every value it can take"
                findings.append(
                    Finding(
                        .warn, "template \(template.source) (route \(route))",
                        "depends on the event, so not every name it can give was checked", fix: hint))
            }
        }
        for name in names {
            findings.append(await checkTemplate(name))
        }
        return findings
    }

    /// The names a step can send with that can be known, without repeats, and the templates whose
    /// names cannot all be; each with its position in the step's `template:` list.
    static func names(_ step: MandrillStep, locales: [String]) -> (
        known: [(name: String, position: Int)], unknown: [(template: Template, position: Int)]
    ) {
        var known: [(name: String, position: Int)] = []
        var unknown: [(template: Template, position: Int)] = []
        for (position, template) in step.templates.enumerated() {
            if template.isConstant {
                if !known.contains(where: { $0.name == template.source }) { known.append((template.source, position)) }
                continue
            }
            var complete = !locales.isEmpty
            for locale in locales {
                var report = RenderReport()
                let name = sampleEvent(locale: locale).map { template.render($0, report: &report) } ?? ""
                guard report.missingPaths.isEmpty, !name.isEmpty else {
                    complete = false
                    continue
                }
                if !known.contains(where: { $0.name == name }) { known.append((name, position)) }
            }
            if !complete { unknown.append((template, position)) }
        }
        return (known, unknown)
    }

    /// An event that says nothing but its locale (through the transient payload and the traits,
    /// where `event.locale` reads it), so that a name that needs anything else shows missing paths.
    static func sampleEvent(locale: String) -> Event? {
        let payload: JSON = [
            "flow": ["transient_payload": ["locale": .string(locale)]],
            "identity": ["traits": ["locale": .string(locale)]],
        ]
        guard let root = (try? JSONDocument(parsing: payload.serialized()))?.root else { return nil }
        return Event(
            id: TimeOrderedID(high: 0, low: 0), name: EventName(flow: "registration", phase: "after"),
            receivedAt: .now, triggerID: nil, payload: root)
    }

    /// `templates/info`: the template must exist and have a published version, which is what
    /// `messages/send-template` sends.
    private func checkTemplate(_ template: TemplateName) async -> Finding {
        let subject = "template \(redactor.clean(template.name, limit: 100)) (route \(template.route))"
        let missing: String
        switch await call("templates/info", ["name": .string(template.name)]) {
        case .success(let body) where body.object != nil:
            if let published = body["published_at"]?.string, !published.isEmpty {
                return Finding(.ok, subject, "exists and is published")
            }
            missing = "exists but has never been published"
        case .refused(let name, _, _) where name == "Unknown_Template":
            missing = "does not exist"
        case let answer:
            return unexpected(subject, answer)
        }
        let fix =
            missing == "does not exist"
            ? "create it in Mandrill (Outbound → Templates) with this exact slug, and publish it"
            : "publish it in Mandrill (Outbound → Templates → Publish)"
        // Mandrill moves on to the next name only when it does not know one.
        guard template.fallbacks.isEmpty || missing != "does not exist" else {
            let fallbacks = template.fallbacks.map { redactor.clean($0, limit: 100) }.joined(separator: ", ")
            return Finding(.warn, subject, "\(missing); mail falls back to \(fallbacks)", fix: fix)
        }
        return Finding(.fail, subject, missing, fix: fix)
    }
}
