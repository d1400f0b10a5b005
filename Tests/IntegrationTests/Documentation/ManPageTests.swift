import Foundation
import HeraldTestSupport
import Testing

/// man/herald.1 says what `herald <command> --help` says, for every command and no other, and
/// both pages are what scripts/man-pages makes of the binary and docs/configuration.md.
@Suite struct ManPageTests {
    static let page = SystemTools.repository.appendingPathComponent("man/herald.1")

    /// The text of a `.nf` … `.fi` block as a reader sees it: roff escapes undone.
    static func plain(_ roff: String) -> String {
        var text = roff.hasPrefix("\\&") ? String(roff.dropFirst(2)) : roff
        let glyphs = [
            ("\\-", "-"), ("\\(em", "—"), ("\\(en", "–"), ("\\(->", "→"), ("\\(<-", "←"), ("\\(<=", "≤"),
            ("\\(>=", "≥"), ("\\(mu", "×"), ("\\(+-", "±"), ("\\(lq", "“"), ("\\(rq", "”"), ("\\(bu", "•"),
            ("\\&...", "…"),
        ]
        for (escape, glyph) in glyphs { text = text.replacingOccurrences(of: escape, with: glyph) }
        return text.replacingOccurrences(of: "\\e", with: "\\")
    }

    /// Each `.SS herald NAME` section's preformatted text, by command name.
    static func sections() throws -> [String: String] {
        let lines = try String(contentsOf: page, encoding: .utf8).components(separatedBy: "\n")
        var sections: [String: String] = [:]
        var index = 0
        while index < lines.count {
            guard lines[index].hasPrefix(".SS herald ") else {
                index += 1
                continue
            }
            let name = plain(String(lines[index].dropFirst(".SS herald ".count)))
            var body: [String] = []
            index += 2  // past .nf
            while index < lines.count, lines[index] != ".fi" {
                body.append(plain(lines[index]))
                index += 1
            }
            sections[name] = body.joined(separator: "\n") + "\n"
        }
        return sections
    }

    @Test func everyCommandsHelpIsItsManPageSection() throws {
        let commands = try DocumentationBlockTests.commandHelp()
        let sections = try Self.sections()
        #expect(Set(sections.keys) == Set(commands.keys), "man/herald.1: \(sections.keys.sorted())")
        for (name, help) in commands {
            let trimmed =
                help.components(separatedBy: "\n").map {
                    $0.replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
                }
                .joined(separator: "\n").trimmingCharacters(in: .newlines) + "\n"
            #expect(sections[name] == trimmed, "man/herald.1's herald \(name) differs from herald \(name) --help")
        }
    }

    @Test func thePagesAreWhatTheScriptMakesOfTheirSources() throws {
        guard Integration.pythonCanImport("difflib") else {
            print("ManPageTests: skipped, python3 is missing (scripts/setup)")
            return
        }
        let process = Process()
        process.executableURL = SystemTools.repository.appendingPathComponent("scripts/man-pages")
        process.arguments = ["--check", HeraldProcess.executableURL.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "run scripts/man-pages:\n\(text)")
    }
}
