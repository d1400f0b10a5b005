import FoundationEssentials
import HeraldConfig
import HeraldCore

/// One route test from a `*.test.yaml` file: a payload, the event it arrives as, and what the
/// configuration must do with it.
///
/// ```yaml
/// tests:
///   - name: a sign-up with the newsletter box ticked
///     event: registration.after
///     payload_file: ../../examples/registration-after.json   # or payload: {inline}
///     method: password                                        # optional: the hook's ?method=
///     decide: false                                           # true: the ?mode=decide hook
///     expect:
///       routes: [welcome, newsletter-opt-in]                  # exactly these plan jobs
///       jobs:                                                 # optional, in planning order
///         - { route: welcome, action: mail, fields: { request.template_name: welcome } }
///   - name: a disposable address is refused
///     event: registration.before
///     payload: { identity: { traits: { email: someone@mailinator.com } } }
///     expect:
///       deny: { route: deny-disposable-addresses, message: "Please use a permanent address" }
///   - name: nothing for a plain login
///     event: login.after
///     payload_file: ../../examples/login-after.json
///     expect: { nothing: true }
/// ```
struct RouteTest {
    /// A job the test expects: its route and action, and selected fields of its payload.
    struct ExpectedJob {
        var route: String?
        var action: String?
        /// Path in the job's payload (`request.message.to[0].email`) → expected value.
        var fields: [(path: String, value: JSON, location: SourceLocation)]
        var location: SourceLocation
    }

    /// A denial the test expects.
    struct ExpectedDenial {
        var route: String?
        var status: Int?
        /// A part of the message Kratos shows.
        var message: String?
    }

    enum Expectation {
        case plan(routes: [String]?, jobs: [ExpectedJob]?)
        case deny(ExpectedDenial)
        case nothing
    }

    var name: String
    var location: SourceLocation
    var event: EventName
    var method: String?
    /// The hook is the decide-only one (`?mode=decide`, Kratos' pre-persist hook of an after flow).
    var decideOnly: Bool
    var payload: JSON
    var expectation: Expectation
}

/// Reading `*.test.yaml` files, every problem reported with its position.
enum RouteTestFile {
    static func load(_ path: String, loader: YAMLLoader, diagnostics: ConfigDiagnostics) -> [RouteTest] {
        guard let root = loader.load(contentsOf: path, diagnostics: diagnostics),
            let map = ConfigMap(root, keys: ["tests"], what: "a route test file", diagnostics: diagnostics),
            let list = map.node("tests")
        else { return [] }
        guard let items = list.sequence else {
            diagnostics.error("'tests' must be a list of tests", at: list)
            return []
        }
        let directory = PathText.directory(of: path)
        return items.compactMap { test(from: $0, directory: directory, diagnostics: diagnostics) }
    }

    private static func test(from node: ConfigNode, directory: String, diagnostics: ConfigDiagnostics) -> RouteTest? {
        guard
            let map = ConfigMap(
                node, keys: ["name", "event", "method", "decide", "payload", "payload_file", "expect"],
                what: "a test",
                diagnostics: diagnostics)
        else { return nil }
        let before = diagnostics.items.count
        let name = map.string("name", required: true) ?? ""
        let eventText = map.string("event", required: true)
        var event: EventName?
        if let eventText, let eventNode = map.node("event") {
            event = EventName(eventText)
            if event?.isKnown != true {
                diagnostics.error("unknown event '\(eventText)'", at: eventNode)
            }
        }
        let method = map.string("method")
        var payload: JSON?
        switch (map.node("payload"), map.string("payload_file")) {
        case (let inline?, nil):
            payload = json(from: inline)
        case (nil, let file?):
            let full = file.hasPrefix("/") ? file : directory + "/" + file
            if let data = FileManager.default.contents(atPath: full),
                let parsed = try? JSONDocument(parsing: [UInt8](data)).root.json
            {
                payload = parsed
            } else if let fileNode = map.node("payload_file") {
                diagnostics.error("cannot read a JSON payload from \(full)", at: fileNode)
            }
        default:
            diagnostics.error("a test needs exactly one of 'payload' or 'payload_file'", at: node)
        }
        if let payload, payload.object == nil {
            diagnostics.error("the payload must be a JSON object", at: map.node("payload") ?? node)
        }
        let expected = map.node("expect").flatMap { Self.expectation(from: $0, diagnostics: diagnostics) }
        if map.node("expect") == nil { diagnostics.error("a test needs 'expect'", at: node) }
        guard diagnostics.items.count == before, let event, let payload, let expected else { return nil }
        return RouteTest(
            name: name, location: node.location, event: event, method: method,
            decideOnly: map.bool("decide") ?? false, payload: payload, expectation: expected)
    }

    private static func expectation(from node: ConfigNode, diagnostics: ConfigDiagnostics) -> RouteTest.Expectation? {
        guard
            let map = ConfigMap(
                node, keys: ["routes", "jobs", "deny", "nothing"], what: "'expect'", diagnostics: diagnostics)
        else { return nil }
        let kinds = ["routes", "jobs", "deny", "nothing"].filter { map.node($0) != nil }
        if kinds.contains("deny") || kinds.contains("nothing"), kinds.count > 1 {
            diagnostics.error("'expect' has either routes/jobs, or deny, or nothing: true", at: node)
            return nil
        }
        if let deny = map.node("deny") {
            guard
                let fields = ConfigMap(
                    deny, keys: ["route", "status", "message"], what: "'deny'", diagnostics: diagnostics)
            else { return nil }
            return .deny(
                RouteTest.ExpectedDenial(
                    route: fields.string("route"), status: fields.int("status", in: 100...599),
                    message: fields.string("message")))
        }
        if map.node("nothing") != nil {
            guard map.bool("nothing") == true else {
                diagnostics.error("'nothing' can only be true", at: map.node("nothing") ?? node)
                return nil
            }
            return .nothing
        }
        if kinds.isEmpty {
            diagnostics.error("'expect' needs routes, jobs, deny or nothing", at: node)
            return nil
        }
        let routes = map.stringList("routes")
        var jobs: [RouteTest.ExpectedJob]?
        if let list = map.node("jobs") {
            guard let items = list.sequence else {
                diagnostics.error("'jobs' must be a list", at: list)
                return nil
            }
            jobs = items.compactMap { item in
                guard
                    let job = ConfigMap(
                        item, keys: ["route", "action", "fields"], what: "an expected job", diagnostics: diagnostics)
                else { return nil }
                var fields: [(String, JSON, SourceLocation)] = []
                if let node = job.node("fields") {
                    guard let pairs = node.mapping else {
                        diagnostics.error("'fields' maps payload paths to values", at: node)
                        return nil
                    }
                    for pair in pairs {
                        guard let path = pair.key.scalar?.text, let value = json(from: pair.value) else { continue }
                        fields.append((path, value, pair.key.location))
                    }
                }
                return RouteTest.ExpectedJob(
                    route: job.string("route"), action: job.string("action"), fields: fields, location: item.location)
            }
        }
        return .plan(routes: routes, jobs: jobs)
    }

    /// YAML as JSON: scalars resolved per the YAML 1.2 core schema.
    static func json(from node: ConfigNode) -> JSON? {
        if let items = node.sequence { return .array(items.compactMap(json(from:))) }
        if let pairs = node.mapping {
            var object = JSONObject()
            for pair in pairs {
                guard let key = pair.key.scalar?.text, let value = json(from: pair.value) else { continue }
                object[key] = value
            }
            return .object(object)
        }
        switch node.resolved {
        case .null?: return .null
        case .bool(let flag)?: return .bool(flag)
        case .int(let number)?: return .int(Int64(number))
        case .float(let number)?: return .double(number)
        case .string(let text)?: return .string(text)
        case nil: return nil
        }
    }
}
