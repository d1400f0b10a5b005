import FoundationEssentials
import HeraldCore

/// A program's environment as configured: `environment:` (values may be secrets) and
/// `inherit_environment:` (names whose values Herald passes on from its own environment, read
/// when the configuration loads). Nothing else of Herald's environment reaches the program.
/// Secret values are masked in whatever the program prints: those read from a secret reference,
/// and those of variables whose names say they hold a credential (`CredentialNames`: a token
/// written into the file, or `AWS_SECRET_ACCESS_KEY` passed on from Herald's environment).
struct ExecEnvironment {
    private(set) var entries: [String] = []
    private(set) var names: [String] = []
    private(set) var secretValues: [String] = []

    /// `environment:`, a map of NAME → value.
    mutating func parse(_ node: ConfigNode, diagnostics: ConfigDiagnostics) {
        guard let pairs = node.mapping else {
            diagnostics.error(
                "'environment' must be a map of variable names to values, found \(node.kindDescription)", at: node)
            return
        }
        for pair in pairs {
            guard let name = checkedName(pair.key.scalar?.text, at: pair.key, key: "environment", diagnostics) else {
                continue
            }
            // Read leniently (PORT: 8080) and never quoted: the value may be a secret.
            guard let scalar = pair.value.scalar, !pair.value.isNull else {
                diagnostics.error("'environment': the value of \(name) must be text", at: pair.value)
                continue
            }
            if scalar.text.contains("\0") {
                diagnostics.error("'environment': the value of \(name) contains a NUL character", at: pair.value)
                continue
            }
            if scalar.isSecret || CredentialNames.suggestCredential(name) { secretValues.append(scalar.text) }
            add(name, scalar.text)
        }
    }

    /// `inherit_environment:`, a list of names (such as PATH, LANG).
    mutating func inherit(_ node: ConfigNode, diagnostics: ConfigDiagnostics) {
        let items = node.scalar != nil ? [node] : (node.sequence ?? [])
        guard !items.isEmpty else {
            diagnostics.error(
                "'inherit_environment' must be a list of variable names, found \(node.kindDescription)", at: node)
            return
        }
        let own = ProcessInfo.processInfo.environment
        for item in items {
            guard let name = checkedName(item.scalar?.text, at: item, key: "inherit_environment", diagnostics) else {
                continue
            }
            guard let value = own[name] else {
                diagnostics.warning("'inherit_environment': \(name) is not set in Herald's environment", at: item)
                continue
            }
            if CredentialNames.suggestCredential(name) { secretValues.append(value) }
            add(name, value)
        }
    }

    private mutating func add(_ name: String, _ value: String) {
        entries.append("\(name)=\(value)")
        names.append(name)
    }

    /// A portable variable name, not one of Herald's own and not given twice.
    private func checkedName(
        _ text: String?, at node: ConfigNode, key: String, _ diagnostics: ConfigDiagnostics
    ) -> String? {
        guard let name = text, let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
            name.utf8.allSatisfy({ byte in
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
            })
        else {
            diagnostics.error(
                "'\(key)': \(node.displayValue) is not a variable name (letters, digits and _, not starting with a "
                    + "digit)", at: node)
            return nil
        }
        if name.uppercased().hasPrefix(ExecSettings.reservedPrefix) {
            diagnostics.error(
                "'\(key)': \(name) is reserved: Herald sets HERALD_JOB_ID, HERALD_EVENT and HERALD_ATTEMPT", at: node)
            return nil
        }
        if names.contains(name) {
            diagnostics.error("'\(key)': \(name) is given twice", at: node)
            return nil
        }
        return name
    }
}
