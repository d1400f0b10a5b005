import Foundation
import HeraldTestSupport
import Testing

/// Every YAML block in README.md and docs/ that is a Herald configuration passes `herald check
/// --no-secrets`, and every `herald …` command the pages show exists with the options shown.
///
/// A YAML block's info string says what it is:
///
/// - ```` ```yaml ````: a whole `herald.yaml`, checked as it is;
/// - ```` ```yaml drop-in ````: a file of `routes.d/` (`actions:`, `routes:`), checked as included
///   by a main file that has ingress credentials and the actions `mail` (mandrill) and `box`
///   (outbox) the examples use;
/// - ```` ```yaml absent=PATH ````: a whole `herald.yaml` naming a file the reader provides
///   (a program): the only problems allowed are about PATH;
/// - ```` ```yaml route-test ````: a route test file, run by `herald test` on the shipped
///   `etc/herald/herald.yaml`;
/// - ```` ```yaml not-config (why) ````: not a Herald configuration (a condition alone, a Kratos
///   or Kubernetes file), not checked.
@Suite struct DocumentationBlockTests {
    static let dropInMain = """
        listen: ["127.0.0.1:0"]
        ingress:
          auth: [{ api_key: { header: X-Herald-Key, value: "${credential:ingress-key}" } }]
        actions:
          mail: { plugin: mandrill, api_key: "${credential:mandrill-key}", from: { email: hello@example.com } }
          box: { plugin: outbox, directory: outbox }
        include: routes.d/*.yaml
        """

    @Test func everyYAMLConfigurationBlockPassesCheck() throws {
        let blocks = try DocumentationFiles.blocks().filter { $0.language == "yaml" || $0.language == "yml" }
        #expect(blocks.count >= 10, "the pages hold more YAML than \(blocks.count) blocks")
        var checked = 0
        for block in blocks {
            let directory = try makeTemporaryDirectory()
            let config = directory.appendingPathComponent("herald.yaml")
            switch block.marks.first {
            case nil:
                try block.text.write(to: config, atomically: true, encoding: .utf8)
                let result = try check(config)
                #expect(result.status == 0, "\(block.location) is not a valid configuration:\n\(result.stderr)")
            case "drop-in"?:
                let routes = directory.appendingPathComponent("routes.d")
                try FileManager.default.createDirectory(at: routes, withIntermediateDirectories: true)
                try Self.dropInMain.write(to: config, atomically: true, encoding: .utf8)
                try block.text.write(
                    to: routes.appendingPathComponent("example.yaml"), atomically: true, encoding: .utf8)
                let result = try check(config)
                #expect(result.status == 0, "\(block.location) is not a valid drop-in:\n\(result.stderr)")
            case let mark? where mark.hasPrefix("absent="):
                let absent = String(mark.dropFirst("absent=".count))
                #expect(block.text.contains(absent), "\(block.location) does not name \(absent)")
                try block.text.write(to: config, atomically: true, encoding: .utf8)
                let result = try check(config)
                let problems = result.stderr.components(separatedBy: "\n").filter {
                    $0.hasPrefix(config.path + ":") && !$0.contains(": warning: ")
                }
                #expect(result.status == 0 || result.status == 78, "\(block.location): \(result.stderr)")
                for problem in problems {
                    #expect(problem.contains(absent), "\(block.location): \(problem)")
                }
            case "route-test"?:
                let file = directory.appendingPathComponent("example.test.yaml")
                try block.text.write(to: file, atomically: true, encoding: .utf8)
                let shipped = SystemTools.repository.appendingPathComponent("etc/herald/herald.yaml")
                let result = try HeraldProcess.run(["test", "--config", shipped.path, file.path])
                #expect(result.status == 0, "\(block.location) fails:\n\(result.stdout)\(result.stderr)")
            case "not-config"?:
                #expect(block.marks.count > 1, "\(block.location): say why it is not a config")
                checked -= 1
            case let mark?:
                Issue.record("\(block.location): unknown mark '\(mark)' on a YAML block")
            }
            checked += 1
        }
        #expect(checked >= 10)
    }

    private func check(_ config: URL) throws -> HeraldProcess.Result {
        try HeraldProcess.run(
            ["check", "--no-secrets", "--no-tests", "--config", config.path],
            in: config.deletingLastPathComponent())
    }

    /// The commands of `herald --help`, with their `--help` texts.
    static func commandHelp() throws -> [String: String] {
        let main = try HeraldProcess.run(["--help"])
        var commands: [String: String] = [:]
        let section = main.stdout.components(separatedBy: "commands:\n")[1].components(separatedBy: "\n\n")[0]
        for line in section.components(separatedBy: "\n") where line.hasPrefix("  ") && !line.hasPrefix("   ") {
            let name = String(line.dropFirst(2).prefix { $0 != " " })
            let help = try HeraldProcess.run([name, "--help"])
            commands[name] = help.stdout
        }
        return commands
    }

    /// `herald <command> [sub] [--option …]` wherever a page shows a command: in shell,
    /// console and text blocks and in inline code.
    @Test func everyCommandShownExistsWithItsOptions() throws {
        let commands = try Self.commandHelp()
        #expect(commands.count >= 11, "\(commands.keys.sorted())")
        let shells: Set<String> = ["", "sh", "bash", "console", "shell", "text"]
        var texts = try DocumentationFiles.blocks().filter { shells.contains($0.language) }.map {
            ($0.location, $0.text)
        }
        texts += try DocumentationFiles.inlineCode().map { ($0.page, $0.code) }
        // `docker exec herald herald health`: a container named herald runs the command.
        let pattern = #"(?:^|[\s(`$])(?:(?:herald|scripts/run|/usr/bin/herald) +)+([a-z][a-z-]*)([^\n;|&)#`]*)"#
        let regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        var seen = 0
        for (location, text) in texts {
            let range = NSRange(text.startIndex..., in: text)
            for match in regex.matches(in: text, range: range) {
                guard let nameRange = Range(match.range(at: 1), in: text),
                    let restRange = Range(match.range(at: 2), in: text)
                else { continue }
                // Words in a shell comment are prose, not a command.
                let lineStart = text[..<nameRange.lowerBound].lastIndex(of: "\n").map { text.index(after: $0) }
                let before = text[(lineStart ?? text.startIndex)..<nameRange.lowerBound]
                if before.hasPrefix("#") || before.contains(" #") { continue }
                let name = String(text[nameRange])
                let rest = String(text[restRange])
                guard let help = commands[name] else {
                    Issue.record(
                        "\(location): `herald \(name)` is not a command (\(text[nameRange.lowerBound...].prefix(60)))")
                    continue
                }
                seen += 1
                for option in Self.options(in: rest) where !help.contains(option) {
                    Issue.record("\(location): `herald \(name)` has no option \(option) (herald \(name) --help)")
                }
            }
        }
        #expect(seen >= 30, "only \(seen) commands found in the pages")
    }

    /// The `--long` options in a command line, up to the first thing that is not herald's (a
    /// pipe or redirection ends the match already).
    static func options(in rest: String) -> [String] {
        rest.split(separator: " ").compactMap { word -> String? in
            guard word.hasPrefix("--"), word.count > 2 else { return nil }
            let name = word.prefix { $0 != "=" && $0 != "," && $0 != "]" && $0 != "." && $0 != ")" && $0 != "'" }
            return name.count > 2 ? String(name) : nil
        }
    }
}
