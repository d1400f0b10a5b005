import Foundation
import HeraldTestSupport
import Testing

/// deploy/kubernetes as the API server and Herald read it: every manifest through
/// `kubernetes-validate --strict` (the API's own schemas, offline) for current Kubernetes
/// versions, what the schemas cannot see (a hardened pod, probes on /healthz and /readyz, selectors
/// that match, a grace period longer than the drain), and the ConfigMap mounted as the pods see it
/// through `herald check --no-secrets`.
@Suite(.enabled(if: DeployFiles.kubernetesValidateAvailable, Comment(rawValue: DeployFiles.kubernetesValidateMissing)))
struct KubernetesManifestTests {
    static let folder = DeployFiles.folder.appendingPathComponent("kubernetes")
    /// The oldest and the newest Kubernetes the manifests are checked for.
    static let versions = ["1.35.0", "1.37.0"]

    static var manifests: [String] {
        Integration.files(in: folder, suffix: ".yaml").map(\.lastPathComponent).filter { $0 != "kustomization.yaml" }
    }

    /// Every object of every manifest, by kind.
    static func objects() async throws -> [String: [String: Any]] {
        let result = try await DeployFiles.check(
            ["documents"] + manifests.map { folder.appendingPathComponent($0).path })
        #expect(result.status == 0, "\(result.stderr)")
        let documents = try #require(try DeployFiles.json(result) as? [[String: Any]])
        var byKind: [String: [String: Any]] = [:]
        for document in documents {
            let kind = try #require(document["kind"] as? String)
            #expect(byKind[kind] == nil, "two objects of kind \(kind)")
            byKind[kind] = document
        }
        return byKind
    }

    static func validate(_ files: [String], version: String) async throws -> DeployFiles.Result {
        try await DeployFiles.run(
            "/usr/bin/env", ["python3", "-m", "kubernetes_validate", "--strict", "-k", version] + files)
    }

    @Test(arguments: versions) func everyManifestPassesTheAPISchemaStrictly(version: String) async throws {
        let result = try await Self.validate(
            Self.manifests.map { Self.folder.appendingPathComponent($0).path }, version: version)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("WARN") && !result.stderr.contains("WARN"), "\(result.stdout)\(result.stderr)")
        for manifest in Self.manifests { #expect(result.stdout.contains("\(manifest) passed"), "\(result.stdout)") }
    }

    /// The check can fail: a field the API does not know is refused.
    @Test func anUnknownFieldIsRefused() async throws {
        let deployment = try String(contentsOf: Self.folder.appendingPathComponent("deployment.yaml"), encoding: .utf8)
        let broken = try makeTemporaryDirectory().appendingPathComponent("deployment.yaml")
        try deployment.replacingOccurrences(of: "  replicas: 2", with: "  replica: 2").write(
            to: broken, atomically: true, encoding: .utf8)
        let result = try await Self.validate([broken.path], version: Self.versions[1])
        #expect(result.status != 0)
        #expect(result.stdout.contains("'replica' was unexpected"), "\(result.stdout)\(result.stderr)")
    }

    @Test func theKustomizationListsEveryManifest() async throws {
        let result = try await DeployFiles.check([
            "documents", Self.folder.appendingPathComponent("kustomization.yaml").path,
        ])
        let kustomization = try #require((try DeployFiles.json(result) as? [[String: Any]])?.first)
        #expect(Set(kustomization["resources"] as? [String] ?? []) == Set(Self.manifests))
    }

    @Test func theInstancesAreHardenedProbedAndDrained() async throws {
        let objects = try await Self.objects()
        #expect(
            Set(objects.keys) == [
                "ServiceAccount", "ConfigMap", "Job", "Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy",
            ])
        let deployment = try #require(objects["Deployment"]?["spec"] as? [String: Any])
        #expect((deployment["replicas"] as? Int ?? 0) >= 2)
        let labels = try #require((deployment["selector"] as? [String: Any])?["matchLabels"] as? [String: String])
        let pod = try #require((deployment["template"] as? [String: Any])?["spec"] as? [String: Any])
        let version = try await DeployFiles.version()

        for (name, spec) in [("Deployment", pod), ("Job", try Self.podSpec(of: objects["Job"]))] {
            let security = try #require(spec["securityContext"] as? [String: Any], "\(name)")
            #expect(security["runAsNonRoot"] as? Bool == true, "\(name)")
            #expect(security["runAsUser"] as? Int == 65532, "\(name)")
            #expect((security["seccompProfile"] as? [String: String])?["type"] == "RuntimeDefault", "\(name)")
            #expect(spec["automountServiceAccountToken"] as? Bool == false, "\(name)")
            let container = try #require((spec["containers"] as? [[String: Any]])?.first, "\(name)")
            #expect(container["image"] as? String == "herald:\(version)", "\(name)")
            let containerSecurity = try #require(container["securityContext"] as? [String: Any], "\(name)")
            #expect(containerSecurity["readOnlyRootFilesystem"] as? Bool == true, "\(name)")
            #expect(containerSecurity["allowPrivilegeEscalation"] as? Bool == false, "\(name)")
            #expect((containerSecurity["capabilities"] as? [String: Any])?["drop"] as? [String] == ["ALL"], "\(name)")
            let resources = try #require(container["resources"] as? [String: Any], "\(name)")
            #expect(resources["requests"] != nil && resources["limits"] != nil, "\(name)")
        }
        let jobArguments = try #require((try Self.podSpec(of: objects["Job"])["containers"] as? [[String: Any]])?.first)
        #expect(jobArguments["args"] as? [String] == ["store", "migrate", "--config", "/etc/herald/herald.yaml"])

        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        #expect(Self.probePath(container["livenessProbe"]) == "/healthz")
        #expect(Self.probePath(container["readinessProbe"]) == "/readyz")
        // The grace period covers preStop's wait and Herald's drain after SIGTERM.
        let preStop =
            (((container["lifecycle"] as? [String: Any])?["preStop"] as? [String: Any])?["sleep"]
            as? [String: Int])?["seconds"] ?? 0
        let grace = try #require(pod["terminationGracePeriodSeconds"] as? Int)
        #expect(grace > preStop + 10, "terminationGracePeriodSeconds \(grace)")

        // The Service, the PodDisruptionBudget and the NetworkPolicy find the Deployment's pods.
        let service = try #require(objects["Service"]?["spec"] as? [String: Any])
        #expect(service["selector"] as? [String: String] == labels)
        let budget = try #require(objects["PodDisruptionBudget"]?["spec"] as? [String: Any])
        #expect((budget["selector"] as? [String: Any])?["matchLabels"] as? [String: String] == labels)
        let policy = try #require(objects["NetworkPolicy"]?["spec"] as? [String: Any])
        let selected = try #require((policy["podSelector"] as? [String: Any])?["matchLabels"] as? [String: String])
        #expect(selected.allSatisfy { labels[$0.key] == $0.value })
    }

    /// The ConfigMap as the Deployment mounts it (its items' paths) passes `herald check
    /// --no-secrets`, and names no credential the migrate Job's secret items lack for the DSN.
    @Test func theMountedConfigurationPassesHeraldCheck() async throws {
        let objects = try await Self.objects()
        let data = try #require(objects["ConfigMap"]?["data"] as? [String: String])
        let pod = try Self.podSpec(of: objects["Deployment"])
        let volumes = try #require(pod["volumes"] as? [[String: Any]])
        let config = try #require(volumes.first { $0["name"] as? String == "config" }?["configMap"] as? [String: Any])
        let items = try #require(config["items"] as? [[String: String]])
        #expect(Set(items.compactMap { $0["key"] }) == Set(data.keys), "every key is mounted")

        let mounted = try makeTemporaryDirectory()
        for item in items {
            let path = try #require(item["path"])
            let key = try #require(item["key"])
            let text = try #require(data[key])
            let file = mounted.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let check = try await DeployFiles.herald(["check", "--no-secrets", "--config", "herald.yaml"], in: mounted)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("kratos-courier") && check.stdout.contains("welcome"), "\(check.stdout)")

        let job = try Self.podSpec(of: objects["Job"])
        let secret = (job["volumes"] as? [[String: Any]])?.first { $0["name"] as? String == "secrets" }?["secret"]
        let keys = ((secret as? [String: Any])?["items"] as? [[String: String]])?.compactMap { $0["key"] } ?? []
        #expect(keys == ["herald-dsn"])
        #expect(data["herald.yaml"]?.contains("${credential:herald-dsn}") == true)
    }

    static func podSpec(of object: [String: Any]?) throws -> [String: Any] {
        let spec = try #require(object?["spec"] as? [String: Any])
        return try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
    }

    static func probePath(_ probe: Any?) -> String? {
        ((probe as? [String: Any])?["httpGet"] as? [String: Any])?["path"] as? String
    }
}
