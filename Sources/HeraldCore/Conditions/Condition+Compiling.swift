extension Condition {
    static let operators = [
        "equals", "in", "matches", "exists", "prefix", "suffix", "contains", "gt", "gte", "lt", "lte",
    ]
    static let combinators = ["all", "any", "not"]

    /// Compiles a `when:` node; every problem goes into `diagnostics`. Paths are checked against
    /// `events` like template paths.
    package static func compile(_ node: ConfigNode, events: [EventName], diagnostics: ConfigDiagnostics) -> Condition? {
        var compiler = Compiler(events: events, diagnostics: diagnostics)
        let root = compiler.compileMap(node, what: "'when'")
        return compiler.failed ? nil : root.map(Condition.init(root:))
    }

    private struct Compiler {
        let events: [EventName]
        let diagnostics: ConfigDiagnostics
        var failed = false

        mutating func error(_ message: String, at node: ConfigNode) {
            diagnostics.error(message, at: node)
            failed = true
        }

        /// A map is an implicit `all` of its entries.
        mutating func compileMap(_ node: ConfigNode, what: String) -> Node? {
            guard let pairs = node.mapping else {
                error(
                    "\(what) must be a map of conditions such as {identity.traits.newsletter: true}, found \(node.kindDescription)",
                    at: node)
                return nil
            }
            var children: [Node] = []
            for pair in pairs {
                guard let key = pair.key.scalar?.text else {
                    error("condition keys must be paths or all/any/not", at: pair.key)
                    continue
                }
                switch key {
                case "all", "any":
                    guard let items = pair.value.sequence else {
                        error(
                            "'\(key)' takes a list of conditions, found \(pair.value.kindDescription)", at: pair.value)
                        continue
                    }
                    // An empty `any` could never hold and an empty `all` always would: both are
                    // more likely a mistake than a wish, so neither is accepted.
                    guard !items.isEmpty else {
                        error(
                            "'\(key)' needs at least one condition; an empty list would \(key == "any" ? "never" : "always") hold",
                            at: pair.value)
                        continue
                    }
                    let compiled = items.compactMap { compileMap($0, what: "each item of '\(key)'") }
                    children.append(key == "all" ? .all(compiled) : .any(compiled))
                case "not":
                    if pair.value.mapping?.isEmpty == true {
                        error("'not' needs a condition; 'not' of nothing would never hold", at: pair.value)
                        continue
                    }
                    if let inner = compileMap(pair.value, what: "'not'") {
                        children.append(.not(inner, pair.key.location))
                    }
                default:
                    if let test = compileTest(pathNode: pair.key, path: key, value: pair.value) {
                        children.append(test)
                    }
                }
            }
            return children.count == 1 ? children[0] : .all(children)
        }

        mutating func compileTest(pathNode: ConfigNode, path text: String, value: ConfigNode) -> Node? {
            let path: PayloadPath
            do {
                path = try PayloadPath(parsing: text)
            } catch {
                self.error("bad path in condition: \(error.description)", at: pathNode)
                return nil
            }
            if let problem = PayloadShape.problem(with: path, events: events) {
                error(problem, at: pathNode)
                return nil
            }
            switch value.content {
            case .scalar:
                guard let expected = expected(value) else { return nil }
                return .test(
                    Test(
                        path: path, predicate: .equals(expected), location: pathNode.location,
                        summary: "\(path) equals \(expected)"))
            case .sequence:
                error(
                    "a list is not a value to compare with; use {in: [...]} to match any of several values", at: value)
                return nil
            case .mapping(let pairs):
                var tests: [Node] = []
                for pair in pairs {
                    let name = pair.key.scalar?.text ?? ""
                    guard Condition.operators.contains(name) else {
                        var message = "unknown operator '\(name)' for \(path)"
                        if let close = closestMatch(to: name, in: Condition.operators) {
                            message += "; did you mean '\(close)'?"
                        } else {
                            message += " (known: \(Condition.operators.joined(separator: ", ")))"
                        }
                        error(message, at: pair.key)
                        continue
                    }
                    if let predicate = predicate(name, pair.value, path: path) {
                        tests.append(
                            .test(
                                Test(
                                    path: path, predicate: predicate.0, location: pair.key.location,
                                    summary: predicate.1)))
                    }
                }
                if pairs.isEmpty { error("empty operator map for \(path)", at: value) }
                return tests.count == 1 ? tests[0] : .all(tests)
            }
        }

        mutating func predicate(_ name: String, _ value: ConfigNode, path: PayloadPath) -> (Predicate, String)? {
            switch name {
            case "equals":
                return expected(value).map { (.equals($0), "\(path) equals \($0)") }
            case "in":
                guard let items = value.sequence, !items.isEmpty else {
                    error("'in' takes a non-empty list of values", at: value)
                    return nil
                }
                let options = items.compactMap { expected($0) }
                guard options.count == items.count else { return nil }
                return (.oneOf(options), "\(path) in [\(options.map(\.description).joined(separator: ", "))]")
            case "matches":
                guard let text = text(value, name) else { return nil }
                do {
                    return (.matches(try CompiledPattern(text)), "\(path) matches /\(text)/")
                } catch {
                    self.error("bad regular expression '\(text)': \(error)", at: value)
                    return nil
                }
            case "exists":
                guard case .bool(let flag)? = value.resolved else {
                    error("'exists' takes true or false, found \(value.displayValue)", at: value)
                    return nil
                }
                return (.exists(flag), flag ? "\(path) exists" : "\(path) does not exist")
            case "prefix":
                return text(value, name).map { (.prefix($0), "\(path) starts with '\($0)'") }
            case "suffix":
                return text(value, name).map { (.suffix($0), "\(path) ends with '\($0)'") }
            case "contains":
                return expected(value).map { (.contains($0), "\(path) contains \($0)") }
            default:
                guard let comparison = Comparison(rawValue: name) else { return nil }
                let bound: Double
                switch value.resolved {
                case .int(let number)?: bound = Double(number)
                case .float(let number)?: bound = number
                default:
                    error("'\(name)' takes a number, found \(value.kindDescription) \(value.displayValue)", at: value)
                    return nil
                }
                let symbol = ["gt": ">", "gte": ">=", "lt": "<", "lte": "<="][name] ?? name
                return (.compare(comparison, bound), "\(path) \(symbol) \(Expected.number(bound))")
            }
        }

        mutating func expected(_ node: ConfigNode) -> Expected? {
            switch node.resolved {
            case .null?: return .null
            case .bool(let flag)?: return .bool(flag)
            case .int(let number)?: return .number(Double(number))
            case .float(let number)?: return .number(number)
            case .string(let text)?: return .string(text)
            case nil:
                error(
                    "expected a single value (text, number, true/false or null), found \(node.kindDescription)",
                    at: node)
                return nil
            }
        }

        mutating func text(_ node: ConfigNode, _ name: String) -> String? {
            guard let scalar = node.scalar, !node.isNull else {
                error("'\(name)' takes text, found \(node.kindDescription)", at: node)
                return nil
            }
            return scalar.text
        }
    }
}
