import HeraldConfig
import HeraldCore
import Synchronization
import Testing

@Suite struct SecretResolverTests {
    /// Records the paths asked for and serves fixed contents.
    final class FakeFiles: Sendable {
        let contents: [String: [UInt8]]
        let requested = Mutex<[String]>([])

        init(_ contents: [String: String]) {
            self.contents = contents.mapValues { Array($0.utf8) }
        }

        func read(_ path: String) throws(ConfigFileError) -> [UInt8] {
            requested.withLock { $0.append(path) }
            guard let bytes = contents[path] else {
                throw .unreadable(path: path, reason: "No such file or directory")
            }
            return bytes
        }
    }

    private let environment = [
        "TOKEN": "hunter2",
        "EMPTY": "",
        "CREDENTIALS_DIRECTORY": "/run/credentials/herald.service",
    ]

    /// Loads `yaml` as `/etc/herald/herald.yaml` and resolves it.
    private func resolve(
        _ yaml: String, environment: [String: String]? = nil, files: FakeFiles = FakeFiles([:])
    ) throws -> (ConfigNode, [String]) {
        let diagnostics = ConfigDiagnostics()
        let root = try #require(
            YAMLLoader().load(text: yaml, file: "/etc/herald/herald.yaml", diagnostics: diagnostics))
        let resolver = SecretResolver(environment: environment ?? self.environment, readFile: files.read)
        let resolved = resolver.resolve(root, diagnostics: diagnostics)
        return (resolved, diagnostics.items.map(\.description))
    }

    @Test func environmentReferencesAreReplacedAndMarkedSecret() throws {
        let (root, errors) = try resolve("key: ${env:TOKEN}\nempty: \"${env:EMPTY}\"\nplain: hello\n")
        #expect(errors == [])
        #expect(root["key"]?.scalar == .init(text: "hunter2", style: .plain, isSecret: true))
        #expect(root["key"]?.displayValue == "<secret>")
        #expect(root["empty"]?.scalar == .init(text: "", style: .doubleQuoted, isSecret: true))
        #expect(root["plain"]?.scalar?.isSecret == false)
    }

    @Test func resolvedSecretsAreText() throws {
        let (root, _) = try resolve("port: ${env:PORT}\n", environment: ["PORT": "8080"])
        #expect(root["port"]?.resolved == .string("8080"))
    }

    @Test func referencesCanBeEmbeddedAndRepeated() throws {
        let (root, errors) = try resolve(
            "auth: \"Bearer ${env:TOKEN}\"\ntwo: ${env:TOKEN}/${env:TOKEN}\nlist: [\"x${env:TOKEN}y\"]\n")
        #expect(errors == [])
        #expect(root["auth"]?.scalar?.text == "Bearer hunter2")
        #expect(root["two"]?.scalar?.text == "hunter2/hunter2")
        #expect(root["list"]?[0]?.scalar == .init(text: "xhunter2y", style: .doubleQuoted, isSecret: true))
    }

    @Test func doubleDollarWritesALiteralReference() throws {
        let (root, errors) = try resolve("a: \"$${env:TOKEN}\"\nb: \"cost $5, $$x, $${\"\n")
        #expect(errors == [])
        #expect(root["a"]?.scalar == .init(text: "${env:TOKEN}", style: .doubleQuoted, isSecret: false))
        #expect(root["b"]?.scalar?.text == "cost $5, $$x, ${")
    }

    @Test func keysAreNotResolved() throws {
        let (root, errors) = try resolve("\"${env:TOKEN}\": 1\n")
        #expect(errors == [])
        #expect(root.mapping?.first?.key.scalar?.text == "${env:TOKEN}")
    }

    @Test func filesAreReadRelativeToTheConfigAndTrimmedOnce() throws {
        let files = FakeFiles([
            "/etc/herald/secrets/key": "abc\n\n",
            "/run/secret": "windows\r\n",
            "/run/bare": "no newline",
        ])
        let (root, errors) = try resolve(
            "a: ${file:secrets/key}\nb: ${file:/run/secret}\nc: ${file:/run/bare}\n", files: files)
        #expect(errors == [])
        #expect(root["a"]?.scalar == .init(text: "abc\n", style: .plain, isSecret: true))
        #expect(root["b"]?.scalar?.text == "windows")
        #expect(root["c"]?.scalar?.text == "no newline")
        #expect(files.requested.withLock { $0 } == ["/etc/herald/secrets/key", "/run/secret", "/run/bare"])
    }

    @Test func unreadableFilesNameThePathAndReason() throws {
        let (root, errors) = try resolve("a:\n  b: ${file:missing}\n")
        #expect(
            errors == [
                "/etc/herald/herald.yaml:2:6: cannot read secret file '/etc/herald/missing': No such file or directory"
            ])
        #expect(root["a"]?["b"]?.scalar?.isSecret == true)
    }

    @Test func credentialsComeFromTheCredentialsDirectory() throws {
        let files = FakeFiles(["/run/credentials/herald.service/mandrill": "md-key\n"])
        let (root, errors) = try resolve("key: ${credential:mandrill}\n", files: files)
        #expect(errors == [])
        #expect(root["key"]?.scalar == .init(text: "md-key", style: .plain, isSecret: true))
    }

    @Test func credentialErrors() throws {
        let (_, missingFile) = try resolve("key: ${credential:nope}\n")
        #expect(
            missingFile == [
                "/etc/herald/herald.yaml:1:6: cannot read credential 'nope' (/run/credentials/herald.service/nope): "
                    + "No such file or directory"
            ])
        let (_, noDirectory) = try resolve("key: ${credential:mandrill}\n", environment: [:])
        #expect(
            noDirectory == [
                "/etc/herald/herald.yaml:1:6: cannot read credential 'mandrill': CREDENTIALS_DIRECTORY is not set "
                    + "(systemd sets it from LoadCredential= in the unit; in a shell, put the secret in a file named "
                    + "'mandrill' in a folder and export CREDENTIALS_DIRECTORY=that folder, or check without "
                    + "secrets: herald check --no-secrets)"
            ])
        let (_, escaping) = try resolve("key: ${credential:../etc/passwd}\n")
        #expect(
            escaping == [
                "/etc/herald/herald.yaml:1:6: invalid credential name '../etc/passwd' in '${credential:../etc/passwd}'"
            ])
    }

    @Test func unsetEnvironmentVariablesAreErrors() throws {
        let (_, errors) = try resolve("list:\n  - ${env:MISSING}\n")
        #expect(
            errors == [
                "/etc/herald/herald.yaml:2:5: environment variable 'MISSING' is not set (export MISSING=… in the "
                    + "shell that runs herald, or check without secrets: herald check --no-secrets)"
            ])
    }

    /// A reference that cannot be read stands for the placeholder, so what uses it is still
    /// checked and nothing cascades from an empty value.
    @Test func anUnreadableReferenceStandsForThePlaceholder() throws {
        let (root, errors) = try resolve("key: \"Bearer ${env:MISSING}\"\n")
        #expect(errors.count == 1)
        #expect(root["key"]?.scalar?.text == "Bearer " + SecretResolver.placeholder)
        #expect(root["key"]?.scalar?.isSecret == true)
    }

    /// `--no-secrets`: references are checked for form, none is read.
    @Test func withoutReadingSecretsReferencesAreCheckedForFormOnly() throws {
        let diagnostics = ConfigDiagnostics()
        let yaml = "a: ${env:MISSING}\nb: ${credential:mandrill}\nc: ${file:/nope}\nd: ${env:}\ne: ${credential:../x}\n"
        let root = try #require(
            YAMLLoader().load(text: yaml, file: "/etc/herald/herald.yaml", diagnostics: diagnostics))
        let files = FakeFiles([:])
        let resolved = SecretResolver(environment: [:], readFile: files.read, readsSecrets: false)
            .resolve(root, diagnostics: diagnostics)
        #expect(files.requested.withLock { $0 } == [])
        #expect(
            diagnostics.items.map(\.description) == [
                "/etc/herald/herald.yaml:4:4: empty name in reference '${env:}'",
                "/etc/herald/herald.yaml:5:4: invalid credential name '../x' in '${credential:../x}'",
            ])
        for key in ["a", "b", "c"] { #expect(resolved[key]?.scalar?.text == SecretResolver.placeholder) }
    }

    @Test(arguments: [
        ("${env:}", "empty name in reference '${env:}'"),
        ("${file:}", "empty path in reference '${file:}'"),
        ("${credential:}", "empty name in reference '${credential:}'"),
        (
            "${nope:X}",
            "unknown reference kind 'nope' in '${nope:X}'; expected ${env:NAME}, ${file:PATH} or "
                + "${credential:NAME} (write $${ for a literal ${)"
        ),
        (
            "${TOKEN}",
            "malformed reference '${TOKEN}'; expected ${env:NAME}, ${file:PATH} or ${credential:NAME} "
                + "(write $${ for a literal ${)"
        ),
        (
            "${}",
            "malformed reference '${}'; expected ${env:NAME}, ${file:PATH} or ${credential:NAME} "
                + "(write $${ for a literal ${)"
        ),
        (
            "x ${env:TOKEN",
            "unterminated reference '${env:TOKEN'; it must end with '}' (write $${ for a literal ${)"
        ),
        ("${env:BAD-NAME}", "invalid environment variable name 'BAD-NAME' in '${env:BAD-NAME}'"),
    ])
    func malformedReferencesAreErrorsAtTheScalar(reference: String, message: String) throws {
        let (root, errors) = try resolve("a: 1\nkey: \"\(reference)\"\n")
        #expect(errors == ["/etc/herald/herald.yaml:2:6: \(message)"])
        #expect(root["key"]?.scalar?.isSecret == true)
    }

    @Test func longUnterminatedReferencesAreShortenedInTheMessage() throws {
        let (_, errors) = try resolve("key: \"${file:/" + String(repeating: "x", count: 100) + "\"\n")
        #expect(
            errors == [
                "/etc/herald/herald.yaml:1:6: unterminated reference '${file:/" + String(repeating: "x", count: 32)
                    + "…'; it must end with '}' (write $${ for a literal ${)"
            ])
    }

    @Test func errorMessagesNeverContainSecrets() throws {
        let files = FakeFiles(["/etc/herald/k": "file-secret\n"])
        let (root, errors) = try resolve(
            """
            a: "${env:TOKEN} ${env:MISSING}"
            b: "${file:k}${nope:x}"
            c: ${env:TOKEN
            d: "${file:k} ${credential:missing}"
            """, files: files)
        #expect(errors.count == 4)
        for error in errors {
            #expect(!error.contains("hunter2"))
            #expect(!error.contains("file-secret"))
        }
        #expect(root["a"]?.displayValue == "<secret>")
    }

    @Test func theDefaultReaderReadsRealFilesAndReportsErrno() throws {
        try withTemporaryDirectory { directory in
            try write("from disk\n", to: directory + "/secret.txt")
            let config = directory + "/herald.yaml"
            let diagnostics = ConfigDiagnostics()
            let root = try #require(
                YAMLLoader().load(
                    text: "a: ${file:secret.txt}\nb: ${file:gone.txt}\n", file: config,
                    diagnostics: diagnostics))
            let resolved = SecretResolver(environment: [:]).resolve(root, diagnostics: diagnostics)
            #expect(resolved["a"]?.scalar?.text == "from disk")
            #expect(
                diagnostics.items.map(\.description) == [
                    "\(config):2:4: cannot read secret file '\(directory)/gone.txt': No such file or directory"
                ])
        }
    }

    @Test func secretFilesThatAreNotTextAreRefused() throws {
        try withTemporaryDirectory { directory in
            try write([0x61, 0xFF, 0x0A], to: directory + "/binary")
            let diagnostics = ConfigDiagnostics()
            let node = ConfigNode.scalar("${file:\(directory)/binary}", at: .builtin("t"))
            _ = SecretResolver(environment: [:]).resolve(node, diagnostics: diagnostics)
            #expect(
                diagnostics.items.map(\.message) == [
                    "cannot read secret file '\(directory)/binary': it is not UTF-8 text"
                ])
        }
    }

    @Test func theProcessEnvironmentIsRead() {
        #expect(SecretResolver.processEnvironment()["PATH"] != nil)
    }
}
