import HeraldConfig
import HeraldCore

/// `herald doctor`: asks every action that can check itself (`DiagnosableAction`) whether what
/// the routes rely on exists at its peer, a few actions at a time, each within a time limit.
package enum Doctor {
    /// Actions checked at once: peers are different services, but one slow peer should not hold
    /// the others, and a config with many actions should not open many connections at once.
    package static let concurrency = 4
    /// How long one action's checks may take, all calls included.
    package static let timeout = Duration.seconds(60)

    /// Runs the checks of every action of `configuration` and returns them in a stable order:
    /// by action name, each action's findings in the order it gave them.
    package static func run(
        _ configuration: HeraldConfiguration, locales: [String], timeout: Duration = timeout,
        concurrency: Int = concurrency
    ) async -> DoctorReport {
        let webhook = mandrillWebhook(configuration)
        let names = configuration.actions.keys.sorted()
        var jobs: [(name: String, action: any DiagnosableAction, uses: [DiagnosisContext.Use])] = []
        var unchecked: [String] = []
        for name in names {
            guard let action = configuration.actions[name] else { continue }
            guard let diagnosable = action as? any DiagnosableAction else {
                unchecked.append("\(name) (\(action.kind))")
                continue
            }
            jobs.append((name, diagnosable, uses(of: name, in: configuration.rules)))
        }
        var results: [String: [Finding]] = [:]
        await withTaskGroup(of: (String, [Finding]).self) { group in
            var pending = jobs[...]
            func startNext() {
                guard let job = pending.popFirst() else { return }
                let context = DiagnosisContext(
                    uses: job.uses, mandrillWebhook: webhook, locales: locales, deadline: .now + timeout)
                group.addTask { (job.name, await diagnose(job.action, context, timeout: timeout)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let (name, findings) = await group.next() {
                results[name] = findings
                startNext()
            }
        }
        var entries = jobs.flatMap { job in (results[job.name] ?? []).map { (job.name, $0) } }
        let checksWebhook = jobs.contains { $0.action.kind == "mandrill" }
        if let webhook, !checksWebhook {
            entries.append(
                (
                    "ingress",
                    Finding(
                        .warn, "webhook \(webhook.url)", "not checked: no mandrill action has a key to ask with",
                        fix: "check it under Mandrill → Settings → Webhooks")
                ))
        }
        return DoctorReport(
            entries: entries.map { DoctorReport.Entry(action: $0.0, finding: $0.1) }, unchecked: unchecked)
    }

    /// The action's findings, or one failure when they did not come within `timeout`; the
    /// checks still running then are cancelled.
    static func diagnose(_ action: any DiagnosableAction, _ context: DiagnosisContext, timeout: Duration) async
        -> [Finding]
    {
        await withTaskGroup(of: [Finding]?.self) { group in
            group.addTask { await action.diagnose(context) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
                ?? [
                    Finding(
                        .fail, "checks", "did not finish within \(describe(timeout))",
                        fix: "check that Herald reaches the service, then run herald doctor again")
                ]
        }
    }

    /// `60s`, or `250ms` below a second.
    static func describe(_ duration: Duration) -> String {
        duration < .seconds(1)
            ? "\(Int((duration.seconds * 1000).rounded()))ms" : "\(Int(duration.seconds.rounded(.up)))s"
    }

    /// The steps of every route that name `action`, in file order.
    package static func uses(of action: String, in rules: RuleSet) -> [DiagnosisContext.Use] {
        rules.routes.flatMap { route in
            route.steps.filter { $0.action == action }.map { DiagnosisContext.Use(route: route.name, step: $0) }
        }
    }

    /// The webhook Mandrill should have: `ingress.mandrill_webhooks.url` and the Mandrill event
    /// types `mandrill.<type>` routes listen to.
    package static func mandrillWebhook(_ configuration: HeraldConfiguration) -> DiagnosisContext.MandrillWebhook? {
        guard let settings = configuration.ingress.mandrillWebhooks else { return nil }
        let heard = Set(
            configuration.rules.routes.flatMap { $0.events.flatMap(\.knownMatches) }.filter(\.isMandrill).map {
                String($0.phase)
            })
        return DiagnosisContext.MandrillWebhook(
            url: settings.url, events: EventName.mandrillEventTypes.filter(heard.contains))
    }
}

/// What `herald doctor` found, ready to print.
package struct DoctorReport: Sendable {
    package struct Entry: Sendable, Equatable {
        package let action: String
        package let finding: Finding
    }

    package let entries: [Entry]
    /// Actions whose plugin has no checks, as `name (kind)`.
    package let unchecked: [String]

    /// True when any check failed: `herald doctor` exits 1.
    package var failed: Bool { entries.contains { $0.finding.status == .fail } }

    /// One line per check, `fail mail: template welcome (route welcome): does not exist — fix: …`,
    /// then a count.
    package func render() -> String {
        var lines = entries.map { entry in
            let status = entry.finding.status.rawValue
            return status + String(repeating: " ", count: 5 - status.count) + "\(entry.action): \(entry.finding)"
        }
        if !unchecked.isEmpty { lines.append("no checks for: \(unchecked.joined(separator: ", "))") }
        let counts = [Finding.Status.ok, .warn, .fail].map { status in
            (status, entries.filter { $0.finding.status == status }.count)
        }
        lines.append(
            counts.map {
                "\($0.1) \($0.0 == .ok ? "ok" : $0.0 == .warn ? "warning" : "failure")\($0.1 == 1 || $0.0 == .ok ? "" : "s")"
            }
            .joined(separator: ", "))
        return lines.joined(separator: "\n") + "\n"
    }
}
