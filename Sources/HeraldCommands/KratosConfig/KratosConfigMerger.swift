import HeraldConfig
import HeraldCore

/// `herald kratos-config --merge kratos.yml`: the user's Kratos configuration with Herald's hooks
/// merged in (issue 8). Kratos never merges hook lists and, once `<flow>.after.<method>.hooks`
/// exists, ignores `<flow>.after.hooks` for that method; so each list Herald fills starts from
/// the user's own list for that place, or else from their global list of that flow and phase,
/// keeps their hooks in their order, adds Herald's, and puts Kratos' `session` hook last. Herald's
/// earlier hooks (a `web_hook` whose URL is Herald's) are replaced, so merging again changes
/// nothing. Everything else is left as it was; comments are not kept (libyaml drops them).
package struct KratosConfigMerger {
    package let renderer: KratosConfigRenderer

    package init(renderer: KratosConfigRenderer) {
        self.renderer = renderer
    }

    /// A Kratos file that cannot be merged.
    package struct Failure: Error, Sendable {
        package let message: String
    }

    /// Reads `path` and returns the merged YAML text.
    package func merge(path: String) throws(Failure) -> String {
        let diagnostics = ConfigDiagnostics()
        let loader = YAMLLoader()
        guard let root = loader.load(contentsOf: path, diagnostics: diagnostics), diagnostics.isEmpty else {
            throw Failure(message: DiagnosticRenderer(sources: loader.sources).render(diagnostics.sorted))
        }
        guard case .mapping = root.content else {
            throw Failure(message: "\(path): a Kratos configuration is a map (dsn:, selfservice:, …)\n")
        }
        return "# \(path) with Herald's hooks merged in by `herald kratos-config --merge` (comments are not kept).\n"
            + renderer.targetNote(renderer.plan).map { $0.isEmpty ? "#" : "# \($0)" }.joined(separator: "\n") + "\n"
            + merged(YAMLTree(root)).text
    }

    /// `tree` with Herald's hooks and courier settings merged in.
    func merged(_ tree: YAMLTree) -> YAMLTree {
        let plan = renderer.plan
        var tree = tree
        var locations: [String] = []
        var byLocation: [String: [KratosHookPlan.Hook]] = [:]
        for hook in plan.hooks {
            if byLocation[hook.location] == nil { locations.append(hook.location) }
            byLocation[hook.location, default: []].append(hook)
        }
        for location in locations {
            guard let hooks = byLocation[location], let first = hooks.first else { continue }
            var path = ["selfservice", "flows", first.flow, first.phase]
            if let method = first.method { path.append(method) }
            path.append("hooks")
            let global = ["selfservice", "flows", first.flow, first.phase, "hooks"]
            let base = tree.value(at: path) ?? (first.method != nil ? tree.value(at: global) : nil)
            var theirs: [YAMLTree] = []
            if case .list(let items)? = base { theirs = items.filter { !isHeralds($0) } }
            let sessions = theirs.filter { hook in
                if case .scalar("session", _)? = hook["hook"] { return true }
                return false
            }
            theirs.removeAll { sessions.contains($0) }
            tree.set(.list(theirs + hooks.map(entry) + sessions), at: path)
        }
        if plan.courier {
            tree.set(.text("http"), at: ["courier", "delivery_strategy"])
            tree.set(courierConfig, at: ["courier", "http", "request_config"])
        }
        return tree
    }

    /// True for a `web_hook` Herald wrote: one that calls Herald at the renderer's base URL, or
    /// that Herald named (`config.id: herald-…`, from a merge with another `--url`).
    private func isHeralds(_ hook: YAMLTree) -> Bool {
        guard case .scalar(let kind, _)? = hook["hook"], kind == "web_hook" else { return false }
        if case .scalar(let id, _)? = hook.value(at: ["config", "id"]), id.hasPrefix("herald-") { return true }
        guard case .scalar(let url, _)? = hook.value(at: ["config", "url"]) else { return false }
        return url.hasPrefix(renderer.baseURL.text + "/v1/")
    }

    private func entry(_ hook: KratosHookPlan.Hook) -> YAMLTree {
        if let builtin = hook.builtin { return .map([("hook", .text(builtin))]) }
        var config: [(key: String, value: YAMLTree)] = []
        if renderer.target.hasWebHookID { config.append(("id", .text(hook.id))) }
        config.append(("url", .scalar(renderer.baseURL.text + hook.path, plain: false)))
        config.append(("method", .text("POST")))
        config.append(("body", .scalar(KratosConfigRenderer.contextBody, plain: false)))
        if let auth { config.append(("auth", auth)) }
        switch hook.response {
        case .ignore: config.append(("response", .map([("ignore", .scalar("true", plain: true))])))
        case .parse:
            config.append(
                (
                    "response",
                    .map([("ignore", .scalar("false", plain: true)), ("parse", .scalar("true", plain: true))])
                ))
        }
        return .map([("hook", .text("web_hook")), ("config", .map(config))])
    }

    private var courierConfig: YAMLTree {
        var config: [(key: String, value: YAMLTree)] = [
            ("url", .scalar(renderer.baseURL.text + "/v1/courier", plain: false)), ("method", .text("POST")),
            ("body", .scalar(KratosConfigRenderer.contextBody, plain: false)),
        ]
        if let auth { config.append(("auth", auth)) }
        return .map(config)
    }

    /// The first ingress credential as Kratos' `auth`, a placeholder unless secrets were asked for.
    private var auth: YAMLTree? {
        guard let credential = renderer.configuration.ingress.credentials.first else { return nil }
        switch credential {
        case .apiKey(let name, let value, let inCookie):
            let secret = renderer.withSecrets ? value : renderer.placeholder("ingress key")
            return .map([
                ("type", .text("api_key")),
                (
                    "config",
                    .map([
                        ("name", .scalar(name, plain: false)), ("value", .scalar(secret, plain: false)),
                        ("in", .text(inCookie ? "cookie" : "header")),
                    ])
                ),
            ])
        case .basicAuth(let user, let password):
            let secret = renderer.withSecrets ? password : renderer.placeholder("ingress password")
            return .map([
                ("type", .text("basic_auth")),
                ("config", .map([("user", .scalar(user, plain: false)), ("password", .scalar(secret, plain: false))])),
            ])
        }
    }
}
