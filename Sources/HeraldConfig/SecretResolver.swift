import Glibc
import HeraldCore

/// Replaces secret references in the values of a configuration tree.
///
/// Inside any scalar in a value position (never a key):
/// - `${env:NAME}` — the environment variable (unset is an error, empty is allowed);
/// - `${file:PATH}` — the file's content with one trailing `\n` or `\r\n` removed; a relative
///   `PATH` is taken from the directory of the config file that contains the reference;
/// - `${credential:NAME}` — `$CREDENTIALS_DIRECTORY/NAME` (systemd's `LoadCredential=`), trimmed
///   the same way;
/// - `$${` — a literal `${`.
///
/// References may sit inside longer text (`"Bearer ${env:TOKEN}"`). A scalar that contained a
/// reference is marked `isSecret`, so it is never displayed. Errors are reported at the scalar's
/// position and never contain a secret's value.
///
/// A reference that cannot be read still gets a value, `placeholder`, so that everything that
/// uses it is checked too and one missing secret neither hides other problems nor causes
/// follow-on ones ("'api_key' is empty"). With `readsSecrets` false every reference gets the
/// placeholder without being read (`herald check --no-secrets`, `herald kratos-config`).
package struct SecretResolver: Sendable {
    /// What a reference stands for when it is not (or cannot be) read: long enough for every
    /// length rule on keys and passwords, and made of characters any header value may hold.
    package static let placeholder = ConfigNode.Scalar.unreadSecret

    /// Reads a secret file's bytes, or throws `ConfigFileError` saying why not.
    package typealias FileReader = @Sendable (_ path: String) throws(ConfigFileError) -> [UInt8]

    /// Secret files larger than this are refused.
    package static let maxSecretBytes = 64 * 1024

    private let environment: [String: String]
    private let readFile: FileReader
    /// False: references are checked for form only and stand for `placeholder`.
    package let readsSecrets: Bool

    /// - Parameters:
    ///   - environment: the variables `${env:}` and `CREDENTIALS_DIRECTORY` come from.
    ///   - readFile: how `${file:}` and `${credential:}` are read; tests pass a fake.
    ///   - readsSecrets: false to check references for form only, reading none.
    package init(
        environment: [String: String] = SecretResolver.processEnvironment(),
        readFile: @escaping FileReader = SecretResolver.readSecretFile,
        readsSecrets: Bool = true
    ) {
        self.environment = environment
        self.readFile = readFile
        self.readsSecrets = readsSecrets
    }

    /// The environment of this process.
    package static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }

    /// Reads a secret file from disk, refusing more than `maxSecretBytes`.
    package static func readSecretFile(_ path: String) throws(ConfigFileError) -> [UInt8] {
        try readFileBytes(atPath: path, limit: maxSecretBytes)
    }

    /// Returns `node` with every reference in its values replaced; problems go to `diagnostics`.
    package func resolve(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> ConfigNode {
        var result = node
        switch node.content {
        case .scalar(let scalar):
            result.content = .scalar(resolve(scalar, at: node.location, diagnostics: diagnostics))
        case .sequence(let items):
            result.content = .sequence(items.map { resolve($0, diagnostics: diagnostics) })
        case .mapping(let pairs):
            result.content = .mapping(
                pairs.map { .init(key: $0.key, value: resolve($0.value, diagnostics: diagnostics)) })
        }
        return result
    }

    private func resolve(
        _ scalar: ConfigNode.Scalar, at location: SourceLocation, diagnostics: ConfigDiagnostics
    ) -> ConfigNode.Scalar {
        let text = scalar.text
        // Most scalars have no reference: look for "${" in the bytes before doing any real work.
        guard text.utf8.contains(UInt8(ascii: "$")), text.contains("${") else { return scalar }
        var output = ""
        var hasReference = false
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("$${") {
                output += "${"
                index = text.index(index, offsetBy: 3)
            } else if rest.hasPrefix("${") {
                hasReference = true
                let body = rest.dropFirst(2)
                guard let close = body.firstIndex(of: "}") else {
                    let shown = rest.count > 40 ? rest.prefix(40) + "…" : rest
                    diagnostics.error(
                        "unterminated reference '\(shown)'; it must end with '}' (write $${ for a literal ${)",
                        at: location)
                    break
                }
                let reference = String(text[index...close])
                output +=
                    value(
                        of: body[..<close], reference: reference, file: location.file, location: location,
                        diagnostics: diagnostics) ?? Self.placeholder
                index = text.index(after: close)
            } else {
                output.append(text[index])
                index = text.index(after: index)
            }
        }
        var resolved = scalar
        resolved.text = output
        resolved.isSecret = scalar.isSecret || hasReference
        return resolved
    }

    /// The value of one reference (`body` is what stands between `${` and `}`).
    private func value(
        of body: Substring, reference: String, file: String, location: SourceLocation,
        diagnostics: ConfigDiagnostics
    ) -> String? {
        let hint = "expected ${env:NAME}, ${file:PATH} or ${credential:NAME} (write $${ for a literal ${)"
        guard let colon = body.firstIndex(of: ":") else {
            diagnostics.error("malformed reference '\(reference)'; \(hint)", at: location)
            return nil
        }
        let kind = body[..<colon]
        let argument = String(body[body.index(after: colon)...])
        guard ["env", "file", "credential"].contains(kind) else {
            diagnostics.error("unknown reference kind '\(kind)' in '\(reference)'; \(hint)", at: location)
            return nil
        }
        guard !argument.isEmpty else {
            let what = kind == "file" ? "path" : "name"
            diagnostics.error("empty \(what) in reference '\(reference)'", at: location)
            return nil
        }
        switch kind {
        case "env":
            guard isEnvironmentName(argument) else {
                diagnostics.error("invalid environment variable name '\(argument)' in '\(reference)'", at: location)
                return nil
            }
            guard readsSecrets else { return nil }
            guard let value = environment[argument] else {
                diagnostics.error(
                    "environment variable '\(argument)' is not set (export \(argument)=… in the shell that runs "
                        + "herald, or check without secrets: herald check --no-secrets)",
                    at: location)
                return nil
            }
            return value
        case "file":
            guard readsSecrets else { return nil }
            let resolvedPath = path(argument, relativeToDirectoryOf: file)
            return contents(of: resolvedPath, what: "secret file '\(resolvedPath)'", location, diagnostics)
        default:
            guard argument != ".", argument != "..", !argument.contains("/") else {
                diagnostics.error("invalid credential name '\(argument)' in '\(reference)'", at: location)
                return nil
            }
            guard readsSecrets else { return nil }
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                diagnostics.error(
                    "cannot read credential '\(argument)': CREDENTIALS_DIRECTORY is not set (systemd sets it "
                        + "from LoadCredential= in the unit; in a shell, put the secret in a file named "
                        + "'\(argument)' in a folder and export CREDENTIALS_DIRECTORY=that folder, or check "
                        + "without secrets: herald check --no-secrets)",
                    at: location)
                return nil
            }
            let credentialPath = directory.hasSuffix("/") ? directory + argument : directory + "/" + argument
            return contents(
                of: credentialPath, what: "credential '\(argument)' (\(credentialPath))", location,
                diagnostics)
        }
    }

    /// A secret file's text with one trailing line break removed. Errors name the file and the
    /// reason only.
    private func contents(
        of path: String, what: String, _ location: SourceLocation, _ diagnostics: ConfigDiagnostics
    ) -> String? {
        var bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            switch error {
            case .tooLarge(_, _, let limit):
                diagnostics.error("cannot read \(what): larger than \(limit) bytes", at: location)
            case .unreadable(_, let reason), .badPattern(_, let reason):
                diagnostics.error("cannot read \(what): \(reason)", at: location)
            }
            return nil
        }
        if bytes.last == 0x0A {
            bytes.removeLast()
            if bytes.last == 0x0D { bytes.removeLast() }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            diagnostics.error("cannot read \(what): it is not UTF-8 text", at: location)
            return nil
        }
        return text
    }

    private func isEnvironmentName(_ name: String) -> Bool {
        name.utf8.enumerated().allSatisfy { offset, byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"):
                return true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return offset > 0
            default:
                return false
            }
        }
    }
}
