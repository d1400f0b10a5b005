/// A kind of action that routes can use, such as `mandrill` or `outbox`.
///
/// Plugins are compiled in and registered explicitly in one place (`Sources/herald/BuiltinPlugins.swift`).
/// The config loader calls `makeAction` for each `actions:` entry naming the plugin's `kind`; the
/// resulting `Action` compiles the route steps that use it and performs their jobs.
///
/// **Implementation requirements**
/// - Validate every option when the config loads and report all problems into the diagnostics with
///   their positions; never fail later for something that could have been checked then.
/// - Never print secrets (options read from `${env:}`, `${file:}`, `${credential:}`) in
///   diagnostics, summaries, logs or job payloads: add them only when performing.
package protocol ActionPlugin: Sendable {
    /// The `plugin:` value that selects this plugin.
    static var kind: String { get }
    /// One line for `herald --help` and `herald check`.
    static var summary: String { get }
    /// Builds an action from its configuration; nil (with diagnostics recorded) when invalid.
    static func makeAction(_ definition: ActionDefinition) -> (any Action)?
}

/// A configured action: a plugin instance under a name (`actions.mail`).
///
/// **Implementation requirements** for `perform`
/// - Bounded time: finish by `context.deadline`, and honour task cancellation.
/// - Never block a shared thread: use async I/O (HeraldHTTPClient, whose calls run on libcurl's
///   driver thread) or a dedicated thread.
/// - Classify honestly: `.delivered` only when the peer accepted the job; `.failed` only when
///   repeating the same request cannot succeed; `.retry` otherwise, marking it ambiguous when the
///   request may have taken effect.
/// - Safe under retry: the same job may be performed again after a crash or an ambiguous answer;
///   pass `job.id` to the peer where it can be traced (Mandrill: `metadata.herald_job`).
package protocol Action: Sendable {
    /// The key under `actions:`.
    var name: String { get }
    /// The plugin kind.
    var kind: String { get }
    /// One line for `herald check`: where it sends, without secrets.
    var summary: String { get }
    /// Compiles one `do:` step that names this action; nil (with diagnostics) when invalid.
    func compileStep(_ step: StepDefinition) -> (any ActionStep)?
    /// Performs a job planned by one of this action's steps.
    func perform(_ job: Job, context: DeliveryContext) async -> Outcome
    /// The action's concurrency limit when its config sets none, for peers that bound the
    /// requests in flight (Mailchimp: 10 connections per account); nil for no limit of its own.
    var defaultConcurrency: Int? { get }
}

extension Action {
    package var defaultConcurrency: Int? { nil }
}

/// A compiled `do:` step: renders a job for an event.
///
/// **Implementation requirements**: runs on the request path. Quick, no I/O, no network; all
/// parsing and validation happened in `Action.compileStep`.
package protocol ActionStep: Sendable {
    /// The action that performs the jobs this step plans.
    var action: String { get }
    /// Renders the job for `event`. Template paths missing from the payload render their
    /// `default:` or empty, and are recorded in `report`.
    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob
}

/// What a plugin gets to build an action from `actions.NAME`.
package struct ActionDefinition {
    /// The key under `actions:`.
    package let name: String
    /// The whole `actions.NAME` map (it contains `plugin:`).
    package let node: ConfigNode
    package let diagnostics: ConfigDiagnostics
    /// The directory of the file the action is defined in, for relative paths.
    package let baseDirectory: String
    /// Herald's `state_dir`, for plugins that keep files (the outbox's default directory).
    package let stateDirectory: String
    /// Every secret of the configuration: each value that came from a `${…}` reference, whole and
    /// each reference's value on its own (`T` of `"Bearer ${env:T}"`). An action's redactor masks
    /// them all, so a peer that answers with part of a longer value (`invalid bearer token T`), or
    /// with another action's key, never puts it into a reason, a log line or the spool.
    package let secrets: [String]

    package init(
        name: String, node: ConfigNode, diagnostics: ConfigDiagnostics, baseDirectory: String, stateDirectory: String,
        secrets: [String] = []
    ) {
        self.name = name
        self.node = node
        self.diagnostics = diagnostics
        self.baseDirectory = baseDirectory
        self.stateDirectory = stateDirectory
        self.secrets = secrets
    }

    /// Keys every action may have; the config loader reads them, the plugin ignores them.
    package static let commonKeys = ["plugin", "concurrency"]

    /// Opens the options map; the common keys are allowed besides `keys`.
    package func options(keys: [String]) -> ConfigMap? {
        ConfigMap(node, keys: ActionDefinition.commonKeys + keys, what: "action '\(name)'", diagnostics: diagnostics)
    }
}

/// What an action gets to compile one `do:` step of a route.
package struct StepDefinition {
    /// The route's name.
    package let route: String
    /// 1-based position in the route's `do:` list.
    package let index: Int
    /// The step's map (it contains `action:`).
    package let node: ConfigNode
    package let diagnostics: ConfigDiagnostics
    /// Compiles templates, checking their paths against the events the route listens to.
    package let templates: TemplateCompiler
    /// The directory of the file the route is defined in, for `html_file:` and friends.
    package let baseDirectory: String

    package init(
        route: String, index: Int, node: ConfigNode, diagnostics: ConfigDiagnostics, templates: TemplateCompiler,
        baseDirectory: String
    ) {
        self.route = route
        self.index = index
        self.node = node
        self.diagnostics = diagnostics
        self.templates = templates
        self.baseDirectory = baseDirectory
    }

    /// How messages name this step: "step 1 of route 'welcome'".
    package var what: String { "step \(index) of route '\(route)'" }

    /// Opens the step's options; `action` is allowed besides `keys`.
    package func options(keys: [String]) -> ConfigMap? {
        ConfigMap(node, keys: ["action"] + keys, what: what, diagnostics: diagnostics)
    }
}

/// What `perform` gets besides the job.
package struct DeliveryContext: Sendable {
    package let logger: Logger
    package let clock: any TimeSource
    /// When the attempt must be over; the plugin sets its timeouts from it.
    package let deadline: ContinuousClock.Instant
    /// 1 for the first attempt.
    package let attempt: Int

    /// The previous attempt may have reached the peer: it ended ambiguously (a timeout after
    /// sending, a 5xx, a reset), or its process died or lost its lease while it ran. A plugin that
    /// can ask the peer whether the job took effect (Mandrill's `messages/search`) does so first.
    package let previousAttemptMayHaveSent: Bool
    /// Counts something the plugin wants watched, by a short fixed name of its own
    /// (`search_inconclusive`): `herald_plugin_events_total{action, event}`.
    package let count: @Sendable (String) -> Void
    /// The attempt's own span in the event's trace. HTTP requests made through HeraldHTTPClient
    /// carry it as `traceparent` already (`OutboundTrace`); a plugin that talks another way may
    /// pass it on (nil in tests that make no trace).
    package let trace: TraceContext?

    package init(
        logger: Logger, clock: any TimeSource, deadline: ContinuousClock.Instant, attempt: Int,
        previousAttemptMayHaveSent: Bool = false, trace: TraceContext? = nil,
        count: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.trace = trace
        self.logger = logger
        self.clock = clock
        self.deadline = deadline
        self.attempt = attempt
        self.previousAttemptMayHaveSent = previousAttemptMayHaveSent
        self.count = count
    }
}
