/// An action that can check, against its peer's live API, what the configuration relies on:
/// `herald doctor` calls `diagnose` once per action and prints the findings.
///
/// Optional: an `Action` adopts it when its peer has read-only calls that tell whether a
/// configured key, sender, template or list exists. Actions that do not adopt it are listed as
/// having no checks.
///
/// **Implementation requirements**
/// - Read only: never call anything that changes the peer's state (Mandrill's
///   `senders/check-domain` adds a domain it does not know, so it is asked only about domains
///   the account already has).
/// - Bounded time: finish by `context.deadline`, honour task cancellation (the command cancels
///   checks that outlive it), never block a shared thread.
/// - Honest findings: `.ok` only for what was actually confirmed; `.warn` for what could not be
///   checked or will work only in part (a name that depends on the event, a missing fallback);
///   `.fail` for what will make jobs fail. Every `.warn` and `.fail` says how to fix it.
/// - Stable: the same configuration and answers give the same findings in the same order.
/// - No secrets: findings never contain a key or any other secret; text from the peer passes
///   through the action's redactor.
package protocol DiagnosableAction: Action {
    /// Checks what `context.uses` rely on; one finding per check, in a stable order.
    func diagnose(_ context: DiagnosisContext) async -> [Finding]
}

/// What `herald doctor` gives an action to check: what the routes use of it.
package struct DiagnosisContext: Sendable {
    /// One compiled `do:` step that names the action.
    package struct Use: Sendable {
        /// The route the step belongs to.
        package let route: String
        package let step: any ActionStep

        package init(route: String, step: any ActionStep) {
            self.route = route
            self.step = step
        }
    }

    /// Where Mandrill should post its events, and which of them routes listen to.
    package struct MandrillWebhook: Sendable, Equatable {
        /// `ingress.mandrill_webhooks.url`, as registered in Mandrill.
        package let url: String
        /// Mandrill's event types (`hard_bounce`, `spam`) that `mandrill.<type>` routes listen to,
        /// in `EventName.mandrillEventTypes` order.
        package let events: [String]

        package init(url: String, events: [String]) {
            self.url = url
            self.events = events
        }
    }

    /// The steps of every route that use the action, in file order.
    package let uses: [Use]
    /// Set when `ingress.mandrill_webhooks` is configured.
    package let mandrillWebhook: MandrillWebhook?
    /// Locales to check locale-dependent names for (`herald doctor --locales de,fr`), as given.
    package let locales: [String]
    /// When the checks must be over.
    package let deadline: ContinuousClock.Instant

    package init(
        uses: [Use], mandrillWebhook: MandrillWebhook?, locales: [String], deadline: ContinuousClock.Instant
    ) {
        self.uses = uses
        self.mandrillWebhook = mandrillWebhook
        self.locales = locales
        self.deadline = deadline
    }
}

/// One result of a `herald doctor` check.
package struct Finding: Sendable, Hashable, CustomStringConvertible {
    package enum Status: String, Sendable, Hashable, Comparable {
        case ok, warn, fail

        package static func < (lhs: Status, rhs: Status) -> Bool {
            let order: [Status] = [.ok, .warn, .fail]
            return order.firstIndex(of: lhs) ?? 0 < order.firstIndex(of: rhs) ?? 0
        }
    }

    package let status: Status
    /// What was checked: `API key`, `sending domain example.com`, `template welcome`.
    package let subject: String
    /// What was found.
    package let detail: String
    /// How to put it right; set for `.warn` and `.fail`.
    package let fix: String?

    package init(_ status: Status, _ subject: String, _ detail: String, fix: String? = nil) {
        self.status = status
        self.subject = subject
        self.detail = detail
        self.fix = fix
    }

    /// `template welcome: not published — fix: publish it in Mandrill`
    package var description: String {
        var line = "\(subject): \(detail)"
        if let fix { line += " — fix: \(fix)" }
        return line
    }
}
