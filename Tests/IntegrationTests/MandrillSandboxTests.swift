import Foundation
import HeraldTestSupport
import Testing

/// `scripts/mandrill-sandbox`: the test server as a program a user runs to watch Herald's
/// Mandrill calls (issue 9), driven here with the real `herald` binary.
@Suite struct MandrillSandboxTests {
    @Test func itPrintsEveryCallHeraldMakes() async throws {
        let sandbox = Process()
        sandbox.executableURL = HeraldProcess.executableURL.deletingLastPathComponent()
            .appendingPathComponent("mandrill-sandbox")
        sandbox.arguments = ["--port", "0", "--key", "md-sandbox-key-0123", "--template", "welcome"]
        let output = Pipe()
        sandbox.standardOutput = output
        try sandbox.run()
        defer { sandbox.terminate() }
        let reader = output.fileHandleForReading
        var printed = ""
        func readLine() -> String {
            while !printed.contains("\n") {
                let data = reader.availableData
                if data.isEmpty { break }
                printed += String(decoding: data, as: UTF8.self)
            }
            let line = printed.prefix { $0 != "\n" }
            printed = String(printed.dropFirst(line.count + 1))
            return String(line)
        }
        let banner = readLine()
        let baseURL = try #require(
            banner.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") }.map { String($0.dropLast()) },
            "\(banner)")
        let (herald, address) = try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            actions:
              mail: { plugin: mandrill, api_key: md-sandbox-key-0123, base_url: "\(baseURL)", from: hello@example.com }
            routes:
              - name: welcome
                events: [registration.after]
                do: [{ action: mail, template: welcome, to: "{{recipient}}" }]
            """)
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        let call = readLine()
        #expect(call.hasPrefix("POST /api/1.0/messages/send-template.json template=welcome to=jane.doe@example.com"))
        #expect(call.contains("herald_job="))
        #expect(call.contains("→ 200 [{\"email\":\"jane.doe@example.com\",\"status\":\"sent\""), "\(call)")
        _ = try await herald.waitForLog("job delivered")
        try await herald.stop()
    }
}
