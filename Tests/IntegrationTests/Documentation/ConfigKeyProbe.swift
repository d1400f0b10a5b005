import Foundation
import HeraldTestSupport

/// Every key `herald.yaml` can hold, as the configuration parser itself knows them: it puts an
/// unknown key into each map and reads the parser's answer, `unknown key 'x' in … (expected one
/// of: a, b, c)`, through `herald check`, then does the same inside each key that opens a map or
/// a list of maps. Actions and steps are asked once per plugin, since each plugin has keys of its
/// own. Paths read `ingress.limits.max_body_bytes`, `ingress.auth[].api_key.header`,
/// `actions.<mandrill>.api_key`, `routes[].do[<mandrill>].template`.
final class ConfigKeyProbe {
    /// A YAML value written in flow style.
    indirect enum Value {
        case map([(String, Value)])
        case list([Value])
        case text(String)
        case flag(Bool)

        var yaml: String {
            switch self {
            case .map(let pairs): return "{" + pairs.map { "\($0.0): \($0.1.yaml)" }.joined(separator: ", ") + "}"
            case .list(let items): return "[" + items.map(\.yaml).joined(separator: ", ") + "]"
            case .text(let text): return "\"\(text)\""
            case .flag(let flag): return flag ? "true" : "false"
            }
        }

        /// The value with `value` at `path` (`"[]"` is a list's first item), maps and lists made
        /// on the way.
        func setting(_ path: ArraySlice<String>, to value: Value) -> Value {
            guard let step = path.first else { return value }
            let rest = path.dropFirst()
            if step == "[]" {
                let items: [Value]
                if case .list(let existing) = self { items = existing } else { items = [] }
                let first = (items.first ?? .map([])).setting(rest, to: value)
                return .list([first] + items.dropFirst())
            }
            var pairs: [(String, Value)] = []
            if case .map(let existing) = self { pairs = existing }
            if let index = pairs.firstIndex(where: { $0.0 == step }) {
                pairs[index].1 = pairs[index].1.setting(rest, to: value)
            } else {
                pairs.append((step, Value.map([]).setting(rest, to: value)))
            }
            return .map(pairs)
        }

        func value(at path: ArraySlice<String>) -> Value? {
            guard let step = path.first else { return self }
            switch self {
            case .list(let items) where step == "[]": return items.first?.value(at: path.dropFirst())
            case .map(let pairs): return pairs.first { $0.0 == step }?.1.value(at: path.dropFirst())
            default: return nil
            }
        }

        func adding(_ key: String, _ value: Value) -> Value {
            if case .map(let pairs) = self { return .map(pairs + [(key, value)]) }
            return .map([(key, value)])
        }
    }

    static let probe = "qqqprobe"
    /// The options an action needs before its steps can be compiled.
    static let required: [String: [(String, Value)]] = [
        "mandrill": [("api_key", .text("probe-key"))],
        "mailchimp": [("api_key", .text("0123456789abcdef0123456789abcdef-us21")), ("list_id", .text("abc123"))],
        "kratos": [("admin_url", .text("http://127.0.0.1:4434"))],
        "webhook": [
            ("url", .text("https://example.com/hook")),
            ("secrets", .list([.text("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")])),
        ],
        "exec": [("program", .text("/bin/sh"))],
        "smtp": [("url", .text("smtp://127.0.0.1:25")), ("starttls", .text("none"))],
        "outbox": [],
    ]

    private let directory: URL
    private(set) var paths: [String] = []

    init() throws {
        directory = try makeTemporaryDirectory()
    }

    /// The keys the parser expects in the map at `path` of `document`, or nil when it is no
    /// map of known keys (free-form, a scalar, or not reached).
    func keys(_ document: Value, at path: [String]) throws -> [String]? {
        let map = document.value(at: path[...]) ?? .map([])
        let probed = document.setting(path[...], to: map.adding(Self.probe, .text("x")))
        let file = directory.appendingPathComponent("herald.yaml")
        try (probed.yaml + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try HeraldProcess.run(
            ["check", "--no-secrets", "--no-tests", "--config", file.path], in: directory)
        let marker = "unknown key '\(Self.probe)' in "
        guard let line = result.stderr.components(separatedBy: "\n").first(where: { $0.contains(marker) }),
            let open = line.range(of: "(expected one of: "),
            let close = line[open.upperBound...].firstIndex(of: ")")
        else { return nil }
        return line[open.upperBound..<close].components(separatedBy: ", ")
    }

    /// Records every key of the map at `path` as `label.key`, and goes into each key that opens
    /// a map (`label.key.…`) or a list of maps (`label.key[].…`).
    func explore(_ document: Value, at path: [String], label: String) throws {
        guard let keys = try keys(document, at: path) else { return }
        for key in keys {
            let name = label.isEmpty ? key : "\(label).\(key)"
            paths.append(name)
            let existing = document.value(at: (path + [key])[...])
            if case .text = existing { continue }
            if case .flag = existing { continue }
            if try self.keys(document, at: path + [key]) != nil {
                try explore(document, at: path + [key], label: name)
            } else if try self.keys(document, at: path + [key, "[]"]) != nil {
                try explore(document, at: path + [key, "[]"], label: name + "[]")
            }
        }
    }

    /// Every key of `herald.yaml`, each plugin's options and steps, and a denial's keys.
    static func allPaths() throws -> [String] {
        let probe = try ConfigKeyProbe()
        let auth = Value.map([("insecure_no_auth", .flag(true))])
        try probe.explore(.map([("ingress", auth)]), at: [], label: "")
        for (plugin, options) in required.sorted(by: { $0.key < $1.key }) {
            let action = Value.map([("plugin", .text(plugin))] + options)
            let route = Value.map([
                ("name", .text("r")), ("events", .list([.text("registration.after")])),
                ("do", .list([.map([("action", .text("a"))])])),
            ])
            let document = Value.map([
                ("ingress", auth), ("actions", .map([("a", action)])), ("routes", .list([route])),
            ])
            try probe.explore(document, at: ["actions", "a"], label: "actions.<\(plugin)>")
            try probe.explore(document, at: ["routes", "[]", "do", "[]"], label: "routes[].do[<\(plugin)>]")
        }
        let deny = Value.map([
            ("ingress", auth),
            (
                "routes",
                .list([
                    .map([
                        ("name", .text("r")), ("events", .list([.text("registration.after")])),
                        ("do", .list([.map([("deny", .map([]))])])),
                    ])
                ])
            ),
        ])
        probe.paths.append("routes[].do[].deny")
        try probe.explore(deny, at: ["routes", "[]", "do", "[]", "deny"], label: "routes[].do[].deny")
        return probe.paths
    }
}
