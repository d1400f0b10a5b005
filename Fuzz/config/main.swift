import Glibc
import HeraldConfig
import HeraldCore
import HeraldFuzzSupport
import HeraldTestSupport
import MandrillPlugin
import OutboxPlugin

/// fuzz-config: YAML text through `ConfigLoader` (YAML tree, secrets, settings, actions through
/// the built-in plugins and the test `recording` plugin, routes compiled into a `RuleSet`), then
/// every Kratos fixture event planned through the rules.
///
/// The input is the main file, written to a scratch directory on /dev/shm beside a drop-in
/// (`routes.d/extra.yaml`) and a template file (`templates/t.html`), so relative includes and
/// `html_file:` find something. Inputs that name absolute paths or `..` in a file key are
/// skipped: they would read the machine's files. Secrets come from a fake environment and a fake
/// file reader. Checked:
/// - a configuration comes back exactly when there are no errors, and errors have positions;
/// - rendering diagnostics and warnings never crashes, and no secret value appears in them or in a
///   planned job's payload (unless the input itself holds the secret's text, or a route writes a
///   secret reference into a step, which is meant to be sent and so is spooled);
/// - for every route and event, `Condition.matches` agrees with `explain` and a failing condition
///   is explained by at least one failure.
@_cdecl("fuzz_config_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    setUp()
    atexit { printFuzzNotes() }
    return runFuzzer(argc: argc, argv: argv, fuzzOne)
}

/// What no diagnostic, warning or job may show; every secret value ends with it.
let secretMark = "Qx7Zk"
let environment = [
    "MANDRILL_API_KEY": "md-fuzz-secret-key-\(secretMark)", "INGRESS_KEY": "ingress-fuzz-secret-\(secretMark)",
    "CREDENTIALS_DIRECTORY": "/nonexistent-credentials",
]
let secrets = SecretResolver(environment: environment) { path throws(ConfigFileError) in
    if path.hasSuffix("missing") { throw .unreadable(path: path, reason: "No such file or directory") }
    return Array("file-fuzz-secret-\(secretMark)\n".utf8)
}
let plugins = PluginRegistry([MandrillPlugin.self, OutboxPlugin.self, RecordingPlugin.self])

nonisolated(unsafe) var scratch = ""
nonisolated(unsafe) var events: [Event] = []

func setUp() {
    var template = Array("/dev/shm/herald-fuzz-config-XXXXXX".utf8CString)
    if access("/dev/shm", W_OK) != 0 { template = Array("/tmp/herald-fuzz-config-XXXXXX".utf8CString) }
    guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        writeToStandardError("mkdtemp failed\n")
        exit(2)
    }
    scratch = String(cString: created)
    mkdir(scratch + "/routes.d", 0o755)
    mkdir(scratch + "/templates", 0o755)
    writeFile(
        scratch + "/routes.d/extra.yaml",
        Array(
            """
            routes:
              - name: extra
                events: [login.after]
                when: { identity.traits.email: { suffix: "@example.com" } }
                do:
                  - action: rec
                    to: "{{recipient}}"
                    subject: "Hi {{identity.traits.name.first | default: 'there'}}"

            """.utf8))
    writeFile(scratch + "/templates/t.html", Array("<p>Hello {{identity.traits.email}}</p>\n".utf8))
    let ids = TimeOrderedIDGenerator()
    for (name, body) in KratosFixtures.payloads() {
        guard let eventName = EventName(name), let document = try? JSONDocument(parsing: body) else {
            writeToStandardError("bad fixture \(name)\n")
            exit(2)
        }
        events.append(
            Event(
                id: ids.next(), name: eventName, receivedAt: WallClock(millisecondsSinceEpoch: 1_780_000_000_000),
                triggerID: "trigger-1", payload: document.root, hookMethod: "password"))
    }
    // The scratch directory goes when the run ends.
    onFuzzExit {
        let command = "rm -rf '\(scratch)'"
        _ = system(command)
    }
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
        writeToStandardError("cannot write \(path)\n")
        exit(2)
    }
    bytes.withUnsafeBytes { _ = write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}

func fuzzOne(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    // Parse once on its own, to keep inputs that would read the machine's files out.
    let probe = ConfigDiagnostics()
    let root = YAMLLoader().load(text: text, file: "probe.yaml", diagnostics: probe)
    if let root, readsOutsideScratch(root) {
        fuzzNote("skipped-absolute-path", "input names a file outside the scratch directory")
        return
    }
    // A reference written into a route (`vars: {KEY: "${env:X}"}`) is meant to be sent, so it is
    // rendered into the job and spooled; only secrets given elsewhere (an action's `api_key`,
    // ingress credentials) must never reach a job.
    let routesUseSecrets = root.map(routesHoldReferences) ?? true
    if routesUseSecrets { fuzzNote("secret-in-a-route", "a route uses a secret reference: payloads not checked") }
    let path = scratch + "/herald.yaml"
    writeFile(path, bytes)
    let result = ConfigLoader(plugins: plugins, secrets: secrets).load(path: path)

    fuzzCheck((result.configuration != nil) == result.diagnostics.isEmpty, "configuration and errors disagree")
    for diagnostic in result.diagnostics + result.warnings {
        fuzzCheck(diagnostic.location.line >= 1 && diagnostic.location.column >= 1, "no position: \(diagnostic)")
    }
    let rendered = result.renderedDiagnostics + result.renderedWarnings
    let checksSecrets = !text.contains(secretMark) && !text.contains("\\")
    if checksSecrets {
        fuzzCheck(!rendered.contains(secretMark), "a secret in the diagnostics:\n\(rendered)")
    }
    guard let configuration = result.configuration else { return }

    let ids = TimeOrderedIDGenerator()
    for event in events {
        for route in configuration.rules.routes(listeningTo: event.name) {
            let matches = route.condition.matches(event)
            let failures = route.condition.explain(event)
            fuzzCheck(
                matches == (failures == nil), "route \(route.name): matches \(matches), explain \(failures as Any)")
            if let failures { fuzzCheck(!failures.isEmpty, "route \(route.name) fails without a reason") }
            if let denial = route.denial {
                var report = RenderReport()
                _ = denial.message.render(event, report: &report)
            }
        }
        let plan = configuration.rules.plan(event, ids: ids)
        if checksSecrets && !routesUseSecrets {
            for job in plan.jobs {
                let payload = String(decoding: job.payload.serialized(), as: UTF8.self)
                fuzzCheck(!payload.contains(secretMark), "a secret in the payload of a job of \(job.route): \(payload)")
            }
        }
    }
}

/// Whether a scalar under the top-level `routes` holds `${` (a secret reference; YAML escapes are
/// already decoded in the tree).
func routesHoldReferences(_ root: ConfigNode) -> Bool {
    func holds(_ node: ConfigNode) -> Bool {
        switch node.content {
        case .scalar(let scalar): scalar.text.contains("${")
        case .sequence(let items): items.contains(where: holds)
        case .mapping(let pairs): pairs.contains { holds($0.key) || holds($0.value) }
        }
    }
    guard let pairs = root.mapping else { return false }
    return pairs.contains { $0.key.scalar?.text == "routes" && holds($0.value) }
}

/// Whether the tree names a file outside the scratch directory under a key that reads files
/// (`include`, `*_file`, `directory`): an absolute path, `~` or `..`.
func readsOutsideScratch(_ node: ConfigNode, fileKey: Bool = false) -> Bool {
    switch node.content {
    case .scalar(let scalar):
        guard fileKey else { return false }
        return scalar.text.hasPrefix("/") || scalar.text.hasPrefix("~") || scalar.text.contains("..")
            || scalar.text.contains("${")
    case .sequence(let items):
        return items.contains { readsOutsideScratch($0, fileKey: fileKey) }
    case .mapping(let pairs):
        return pairs.contains { pair in
            let key = pair.key.scalar?.text ?? ""
            let reads = fileKey || key == "include" || key.hasSuffix("_file") || key == "directory"
            return readsOutsideScratch(pair.value, fileKey: reads)
        }
    }
}
