import Foundation
import HeraldTestSupport
import Testing

/// etc/systemd/herald.service and herald.socket as systemd reads them: `systemd-analyze verify`
/// must report nothing about them (it prints problems and still exits 0, so its output is read).
@Suite struct SystemdUnitTests {
    static let units = ["herald.service", "herald.socket"]

    /// Copies the units into a fresh directory with ExecStart= pointing at the built binary
    /// (verify checks that executables exist); `edit` changes the service text first.
    static func verify(edit: (String) -> String = { $0 }) async throws -> (output: String, directory: String) {
        let analyze = try #require(SystemTools.path("systemd-analyze"))
        let directory = try makeTemporaryDirectory("herald-units")
        for unit in units {
            var text = try String(
                contentsOf: SystemTools.repository.appendingPathComponent("etc/systemd/\(unit)"), encoding: .utf8)
            text = text.replacingOccurrences(of: "/usr/bin/herald", with: HeraldProcess.executableURL.path)
            if unit == "herald.service" { text = edit(text) }
            try text.write(to: directory.appendingPathComponent(unit), atomically: true, encoding: .utf8)
        }
        let result = try await SystemTools.run(
            analyze, ["verify", "--man=no"] + units.map { directory.appendingPathComponent($0).path },
            environment: ["PATH": "/usr/bin:/bin", "SYSTEMD_LOG_COLOR": "0"])
        // Lines about other units on the host are not ours to judge.
        let ours = result.output.split(separator: "\n").filter { line in
            line.contains(directory.path) || line.contains("herald")
                || ["Unknown", "Invalid", "Failed to parse"].contains { line.contains($0) }
        }
        return (ours.joined(separator: "\n"), directory.path)
    }

    @Test(
        .enabled(
            if: SystemTools.path("systemd-analyze") != nil, "systemd-analyze is not installed: run scripts/setup --ops")
    )
    func unitsVerifyCleanly() async throws {
        let (output, _) = try await Self.verify()
        #expect(output.isEmpty, "systemd-analyze verify:\n\(output)")
    }

    @Test(
        .enabled(
            if: SystemTools.path("systemd-analyze") != nil, "systemd-analyze is not installed: run scripts/setup --ops")
    )
    func verifyWouldCatchAMistake() async throws {
        // The check above is only worth something if verify reports such lines.
        let (output, _) = try await Self.verify {
            $0.replacingOccurrences(of: "ProtectHome=yes", with: "ProtectHome=yes\nProtectHom=yes")
        }
        #expect(output.contains("Unknown key"), "\(output)")
    }

    @Test func serviceIsHardenedAsDocumented() throws {
        let text = try String(
            contentsOf: SystemTools.repository.appendingPathComponent("etc/systemd/herald.service"), encoding: .utf8)
        let settings = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
        for line in [
            "Type=notify", "DynamicUser=yes", "StateDirectory=herald",
            "LoadCredential=mandrill-key:/etc/herald/credentials/mandrill-key",
            "LoadCredential=ingress-key:/etc/herald/credentials/ingress-key",
            "ExecStartPre=/usr/bin/herald check --no-tests --config /etc/herald/herald.yaml",
            "ExecReload=+/usr/bin/env CREDENTIALS_DIRECTORY=/etc/herald/credentials /usr/bin/herald check --config /etc/herald/herald.yaml",
            "ExecReload=/bin/kill -HUP $MAINPID",
            "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "SystemCallFilter=@system-service",
            "SystemCallArchitectures=native", "Restart=on-failure", "WatchdogSec=30s", "TimeoutStopSec=30s",
        ] {
            #expect(settings.contains(line), "herald.service lacks \(line)")
        }
        // ExecReload validates before it signals.
        let reload = text.split(separator: "\n").filter { $0.hasPrefix("ExecReload=") }
        #expect(reload.first?.contains("herald check") == true && reload.last?.contains("kill -HUP") == true)
    }
}
