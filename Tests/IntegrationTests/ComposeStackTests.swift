import Foundation
import HeraldTestSupport
import Testing

/// deploy/compose as Compose, Herald and Kratos read it: the file against the Compose
/// Specification's schema (Tests/Fixtures/compose-spec), what the schema cannot see (pinned
/// images, secrets and mounts that exist, Herald hardened), Herald's configuration with the
/// stack's secrets, and Kratos' configuration regenerated and against Kratos' own schema. The
/// images themselves cannot be pulled here.
@Suite(.enabled(if: DeployFiles.available, Comment(rawValue: DeployFiles.missing)))
struct ComposeStackTests {
    static let folder = DeployFiles.folder.appendingPathComponent("compose")
    static let schema = ReferenceFiles.fixtures + "/compose-spec/compose-spec.json"

    static func compose() async throws -> [String: Any] {
        let result = try await DeployFiles.check([
            "compose", schema, folder.appendingPathComponent("compose.yaml").path,
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        return try #require(try DeployFiles.json(result) as? [String: Any])
    }

    @Test func theFileFollowsTheComposeSpecification() async throws {
        let compose = try await Self.compose()
        let services = try #require(compose["services"] as? [String: [String: Any]])
        #expect(Set(services.keys) == ["postgres", "mailpit", "kratos-migrate", "kratos", "herald-migrate", "herald"])
        let version = try await DeployFiles.version()
        for (name, service) in services {
            let image = try #require(service["image"] as? String, "\(name) has no image")
            let tag = image.split(separator: ":").last.map(String.init) ?? ""
            #expect(image.contains(":") && tag != "latest", "\(name): \(image) is not pinned")
        }
        #expect(services["kratos"]?["image"] as? String == "oryd/kratos:v26.2.0")
        #expect(services["herald"]?["image"] as? String == "${HERALD_IMAGE:-herald:\(version)}")

        // Every secret a service names is declared, and its file is in the repository.
        let secrets = try #require(compose["secrets"] as? [String: [String: String]])
        for (name, service) in services {
            for secret in service["secrets"] as? [String] ?? [] {
                let file = try #require(secrets[secret]?["file"], "\(name) names the undeclared secret \(secret)")
                #expect(FileManager.default.fileExists(atPath: Self.folder.appendingPathComponent(file).path))
            }
            // Every bind mount's folder is in the repository.
            for volume in service["volumes"] as? [String] ?? [] where volume.hasPrefix("./") {
                let source = String(volume.split(separator: ":")[0])
                #expect(
                    FileManager.default.fileExists(atPath: Self.folder.appendingPathComponent(source).path), "\(volume)"
                )
            }
        }

        let herald = try #require(services["herald"])
        #expect(herald["read_only"] as? Bool == true)
        #expect(herald["cap_drop"] as? [String] == ["ALL"])
        #expect(herald["secrets"] as? [String] == ["herald-ingress-key", "herald-dsn"])
        #expect(
            (herald["healthcheck"] as? [String: Any])?["test"] as? [String] == [
                "CMD", "/usr/bin/herald", "health", "--ready",
            ])
        // Longer than Herald's drain after SIGTERM (Compose's default, 10 s, is not).
        #expect(herald["stop_grace_period"] as? String == "30s")
        #expect(services["herald-migrate"]?["command"] as? [String] == ["store", "migrate"])
    }

    /// The check can fail: what Compose refuses, the schema refuses.
    @Test func theSchemaRefusesWhatComposeRefuses() async throws {
        let file = try makeTemporaryDirectory().appendingPathComponent("compose.yaml")
        try "services:\n  herald:\n    image: herald:1\n    read_only: true\n    stop_grace: 30s\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try await DeployFiles.check(["compose", Self.schema, file.path])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("services/herald: 'stop_grace' does not match any of the regexes"),
            "\(result.stdout)")
    }

    @Test func heraldsConfigurationIsValidWithTheStacksSecrets() async throws {
        let check = try await DeployFiles.herald(
            ["check", "--config", "herald/herald.yaml"], in: Self.folder,
            environment: ["CREDENTIALS_DIRECTORY": Self.folder.appendingPathComponent("secrets").path])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("mail: smtp — smtp → smtp://mailpit:1025"), "\(check.stdout)")
    }

    /// kratos/kratos.yml is what kratos/generate makes from the routes and kratos.base.yml today.
    @Test func kratosConfigurationIsWhatGenerateMakes() async throws {
        let generated = try makeTemporaryDirectory().appendingPathComponent("kratos.yml")
        let script = Self.folder.appendingPathComponent("kratos/generate").path
        let result = try await DeployFiles.run(
            "/bin/sh", [script, generated.path],
            environment: ["HERALD": HeraldProcess.executableURL.path, "PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        let committed = try String(contentsOf: Self.folder.appendingPathComponent("kratos/kratos.yml"), encoding: .utf8)
        #expect(
            try String(contentsOf: generated, encoding: .utf8) == committed,
            "deploy/compose/kratos/kratos.yml is stale: run deploy/compose/kratos/generate")
    }

    @Test(.enabled(if: KratosSchemaValidator.available, KratosSchemaValidator.missing))
    func kratosConfigurationPassesKratosOwnSchema() async throws {
        let script = SystemTools.repository.appendingPathComponent("scripts/kratos-config-validate").path
        let result = try await DeployFiles.run(
            "/usr/bin/env",
            [
                "python3", script, "\(ReferenceFiles.kratosConfigSchemas)/v26.2.0.config.schema.json",
                Self.folder.appendingPathComponent("kratos/kratos.yml").path,
            ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}
