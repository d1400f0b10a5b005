import Foundation
import HeraldTestSupport
import Testing

/// `make install` and `make deb`, run on the binary the tests use (a release build is what ships;
/// the layout and the scripts are the same).
@Suite struct SystemdPackagingTests {
    static let haveMake = SystemTools.path("make") != nil
    static let haveDpkgDeb = SystemTools.path("dpkg-deb") != nil && SystemTools.path("make") != nil

    static func make(_ arguments: [String], environment: [String: String] = [:]) async throws -> SystemTools.Result {
        let make = try #require(SystemTools.path("make"))
        let result = try await SystemTools.run(
            make,
            [
                "--no-print-directory", "-C", SystemTools.repository.path,
                "HERALD_BIN=\(HeraldProcess.executableURL.path)",
            ]
                + arguments,
            environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"].merging(environment) { $1 })
        return result
    }

    static func exists(_ root: URL, _ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    @Test(.enabled(if: haveMake, "make is not installed: run scripts/setup --ops"))
    func installPlacesEverythingAndKeepsOperatorFiles() async throws {
        let root = try makeTemporaryDirectory("herald-install")
        let first = try await Self.make(["install", "DESTDIR=\(root.path)", "PREFIX=/usr/local"])
        #expect(first.status == 0, "\(first.output)")
        for path in [
            "usr/local/bin/herald", "usr/local/lib/systemd/system/herald.service",
            "usr/local/lib/systemd/system/herald.socket", "etc/herald/herald.yaml",
            "etc/herald/routes.d/50-security-notices.yaml", "etc/herald/templates/new-sign-in.html",
            "usr/local/share/doc/herald/README.md", "usr/local/share/doc/herald/examples/herald.yaml",
            "usr/local/share/doc/herald/kratos/ctx.jsonnet", "usr/local/share/doc/herald/grafana/herald-dashboard.json",
            "usr/local/share/doc/herald/docs/operations.md", "usr/local/share/man/man1/herald.1.gz",
            "usr/local/share/man/man5/herald.yaml.5.gz",
        ] {
            #expect(Self.exists(root, path), "make install did not place \(path)")
        }
        let unit = try String(
            contentsOf: root.appendingPathComponent("usr/local/lib/systemd/system/herald.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/herald serve --config /etc/herald/herald.yaml"))
        let credentials = try FileManager.default.attributesOfItem(
            atPath: root.appendingPathComponent("etc/herald/credentials").path)
        #expect((credentials[.posixPermissions] as? Int) == 0o700)

        // An operator edits the config; installing again keeps it and writes the new one beside it.
        let config = root.appendingPathComponent("etc/herald/herald.yaml")
        try "# mine\n".write(to: config, atomically: true, encoding: .utf8)
        let second = try await Self.make(["install-config", "DESTDIR=\(root.path)", "PREFIX=/usr/local"])
        #expect(second.status == 0, "\(second.output)")
        #expect(try String(contentsOf: config, encoding: .utf8) == "# mine\n")
        #expect(Self.exists(root, "etc/herald/herald.yaml.example"))
        #expect(second.output.contains("kept \(config.path) (yours)"))
        // Unchanged files get no .example twin.
        #expect(!Self.exists(root, "etc/herald/routes.d/50-security-notices.yaml.example"))
    }

    @Test(.enabled(if: haveDpkgDeb, "make and dpkg-deb are needed: run scripts/setup --ops"))
    func debHoldsTheBinaryUnitsAndExamples() async throws {
        let dist = try makeTemporaryDirectory("herald-deb")
        let build = try await Self.make(["deb", "DIST=\(dist.path)"], environment: ["DPKG_DEB_FLAGS": "-Zgzip -z1"])
        #expect(build.status == 0, "\(build.output)")
        let deb = try #require(
            Integration.files(in: dist, suffix: ".deb").first, "no .deb in \(dist.path): \(build.output)")
        #expect(deb.lastPathComponent.hasPrefix("herald_"))

        let dpkgDeb = try #require(SystemTools.path("dpkg-deb"))
        let info = try await SystemTools.run(dpkgDeb, ["--info", deb.path])
        #expect(info.status == 0)
        for field in [
            "Package: herald", "Depends: libc6, libyaml-0-2", "Recommends: systemd", "postinst", "prerm", "conffiles",
            "md5sums", "init-system-helpers",
        ] {
            #expect(info.output.contains(field), "dpkg-deb --info lacks \(field):\n\(info.output)")
        }
        let contents = try await SystemTools.run(dpkgDeb, ["--contents", deb.path])
        #expect(contents.status == 0)
        for path in [
            "./usr/bin/herald", "./lib/systemd/system/herald.service", "./lib/systemd/system/herald.socket",
            "./etc/herald/herald.yaml", "./usr/share/doc/herald/examples/herald.yaml",
            "./usr/share/doc/herald/examples/routes.d/50-security-notices.yaml",
            "./usr/share/doc/herald/grafana/herald-dashboard.json", "./usr/share/doc/herald/README.md",
            "./usr/share/doc/herald/docs/configuration.md", "./usr/share/doc/herald/docs/plugins/mandrill.md",
            "./usr/share/doc/herald/copyright", "./usr/share/doc/herald/changelog.gz",
            "./usr/share/man/man1/herald.1.gz", "./usr/share/man/man5/herald.yaml.5.gz",
        ] {
            #expect(contents.output.contains(" \(path)\n"), "the package lacks \(path)")
        }
        #expect(contents.output.contains("root/root"))

        // The starter configuration the package installs passes `herald check` with the
        // credential postinst generates.
        let root = try makeTemporaryDirectory("herald-deb-root")
        #expect(try await SystemTools.run(dpkgDeb, ["-x", deb.path, root.path]).status == 0)
        let credentials = try makeTemporaryDirectory("herald-credentials")
        try "k3y-generated-by-postinst-0123456789".write(
            to: credentials.appendingPathComponent("ingress-key"), atomically: true, encoding: .utf8)
        let check = try await SystemTools.run(
            HeraldProcess.executableURL.path,
            ["check", "--config", root.appendingPathComponent("etc/herald/herald.yaml").path],
            environment: ["PATH": "/usr/bin:/bin", "CREDENTIALS_DIRECTORY": credentials.path])
        #expect(check.status == 0, "\(check.output)")
        let unit = try String(
            contentsOf: root.appendingPathComponent("lib/systemd/system/herald.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/herald serve --config /etc/herald/herald.yaml"))
    }
}
