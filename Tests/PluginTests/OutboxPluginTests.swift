import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `plugin: outbox` writes an RFC 5322 message and a JSON sidecar per job.
@Suite struct OutboxPluginTests {
    @Test func writesAnEmlAndASidecar() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "herald-outbox-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let harness = PluginHarness(
            """
            actions:
              outbox:
                plugin: outbox
                directory: \(directory)
                from: {email: hello@example.com, name: Example}
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: outbox
                    to: {email: "{{recipient}}", name: "Jöhn Ünicode"}
                    cc: audit@example.com
                    subject: "Grüße, {{identity.traits.name.first}}"
                    text: "Hello {{identity.traits.name.first}}"
                    html: "<p>Hello {{identity.traits.name.first}} & co</p>"
                    template: welcome
                    vars: {FNAME: "{{identity.traits.name.first}}"}
                    tags: [welcome]
            """)
        #expect(harness.messages == [])
        let action = try #require(harness.actions["outbox"])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        let outcome = await action.perform(job, context: .testing(attempt: 2))
        #expect(outcome == .delivered(detail: "wrote \(job.id).eml"))

        let eml = try String(contentsOfFile: "\(directory)/\(job.id).eml", encoding: .utf8)
        let parts = eml.components(separatedBy: "\r\n\r\n")
        let head = parts[0].components(separatedBy: "\r\n")
        #expect(head.contains("From: Example <hello@example.com>"))
        #expect(
            head.contains("To: =?UTF-8?B?\(Data("Jöhn Ünicode".utf8).base64EncodedString())?= <jane.doe@example.com>"))
        #expect(head.contains("Cc: audit@example.com"))
        #expect(head.contains("Subject: =?UTF-8?B?\(Data("Grüße, Jane".utf8).base64EncodedString())?="))
        #expect(head.contains("Message-ID: <\(job.id)@herald.invalid>"))
        #expect(head.contains("X-Herald-Job: \(job.id)"))
        #expect(head.contains("MIME-Version: 1.0"))
        // Folded: on one line it would pass 78 characters.
        #expect(parts[0].contains("Content-Type: multipart/alternative;\r\n boundary=\"herald-\(job.id)\""))
        #expect(head.contains { $0.hasPrefix("Date: ") && $0.hasSuffix(" +0000") })
        #expect(
            eml.contains(
                "--herald-\(job.id)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHello Jane\r\n"
            ))
        #expect(
            eml.contains(
                "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>Hello Jane & co</p>\r\n"
            ))
        #expect(eml.hasSuffix("--herald-\(job.id)--\r\n"))
        #expect(!eml.contains("\n\n"))

        let sidecar = try JSONDocument(
            parsing: Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(job.id).json")))
        ).root.json
        #expect(sidecar["job"] == .string(job.id.description))
        #expect(sidecar["event"] == "registration.after")
        #expect(sidecar["route"] == "r")
        #expect(sidecar["action"] == "outbox")
        #expect(sidecar["attempt"] == 2)
        #expect(sidecar["template"] == "welcome")
        #expect(sidecar["vars"] == ["FNAME": "Jane"])
        #expect(sidecar["tags"] == ["welcome"])
        #expect(sidecar["message"]?["to"] == [["email": "jane.doe@example.com", "name": "Jöhn Ünicode"]])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    /// The messages are personal data: the directory Herald makes is its user's alone (0700),
    /// and each file is readable by that user only (0600), whatever the umask (tests run under
    /// the usual 022, which left them 0755 and 0640).
    @Test func theFilesAndTheDirectoryAreHeraldsUsersAlone() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent(
            "herald-outbox-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let directory = "\(parent)/outbox"
        let harness = PluginHarness(
            """
            actions:
              outbox: { plugin: outbox, directory: \(directory), from: hello@example.com }
            routes:
              - name: r
                events: [registration.after]
                do:
                  - { action: outbox, to: "{{recipient}}", subject: Hi, text: Hello }
            """)
        let action = try #require(harness.actions["outbox"])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        #expect(await action.perform(job, context: .testing(attempt: 1)) == .delivered(detail: "wrote \(job.id).eml"))
        func mode(_ path: String) throws -> Int {
            try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        }
        #expect(try mode(directory) == 0o700)
        #expect(try mode("\(directory)/\(job.id).eml") == 0o600)
        #expect(try mode("\(directory)/\(job.id).json") == 0o600)
    }

    @Test func aStepNeedsABody() {
        let harness = PluginHarness(
            """
            actions:
              outbox:
                plugin: outbox
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: outbox
                    to: "{{recipient}}"
            """)
        #expect(
            harness.messages == [
                "8:9: step 1 of route 'r' needs a body: 'text', 'html', 'text_file', 'html_file' or 'template'"
            ])
    }
}
