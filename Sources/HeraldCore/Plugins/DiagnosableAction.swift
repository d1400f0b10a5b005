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
public protocol DiagnosableAction: Action {
    /// Checks what `context.uses` rely on; one finding per check, in a stable order.
    func diagnose(_ context: DiagnosisContext) async -> [Finding]
}

/// What `herald doctor` gives an action to check: what the routes use of it.
public struct DiagnosisContext: Sendable {
    /// One compiled `do:` step that names the action.
    public struct Use: Sendable {
        /// The route the step belongs to.
        public let route: String
        public let step: any ActionStep

        public init(route: String, step: any ActionStep) {
            self.route = route
            self.step = step
        }
    }

    /// Where Mandrill should post its events, and which of them routes listen to.
    public struct MandrillWebhook: Sendable, Equatable {
        /// `ingress.mandrill_webhooks.url`, as registered in Mandrill.
        public let url: String
        /// Mandrill's event types (`hard_bounce`, `spam`) that `mandrill.<type>` routes listen to,
        /// in `EventName.mandrillEventTypes` order.
        public let events: [String]

        public init(url: String, events: [String]) {
            self.url = url
            self.events = events
        }
    }

    /// The steps of every route that use the action, in file order.
    public let uses: [Use]
    /// Set when `ingress.mandrill_webhooks` is configured.
    public let mandrillWebhook: MandrillWebhook?
    /// Locales to check locale-dependent names for (`herald doctor --locales de,fr`), as given.
    public let locales: [String]
    /// When the checks must be over.
    public let deadline: ContinuousClock.Instant

    public init(
        uses: [Use], mandrillWebhook: MandrillWebhook?, locales: [String], deadline: ContinuousClock.Instant
    ) {
        self.uses = uses
        self.mandrillWebhook = mandrillWebhook
        self.locales = locales
        self.deadline = deadline
    }
}

/// One result of a `herald doctor` check.
public struct Finding: Sendable, Hashable, CustomStringConvertible {
    public enum Status: String, Sendable, Hashable, Comparable {
        case ok, warn, fail

        public static func < (lhs: Status, rhs: Status) -> Bool {
            let order: [Status] = [.ok, .warn, .fail]
            return order.firstIndex(of: lhs) ?? 0 < order.firstIndex(of: rhs) ?? 0
        }
    }

    public let status: Status
    /// What was checked: `API key`, `sending domain example.com`, `template welcome`.
    public let subject: String
    /// What was found.
    public let detail: String
    /// How to put it right; set for `.warn` and `.fail`.
    public let fix: String?

    public init(_ status: Status, _ subject: String, _ detail: String, fix: String? = nil) {
        self.status = status
        self.subject = subject
        self.detail = detail
        self.fix = fix
    }

    /// `template welcome: not published — fix: publish it in Mandrill`
    public var description: String {
        var line = "\(subject): \(detail)"
        if let fix { line += " — fix: \(fix)" }
        return line
    }
}
