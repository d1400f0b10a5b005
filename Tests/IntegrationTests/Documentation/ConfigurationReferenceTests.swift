import Foundation
import Testing

/// docs/configuration.md's key table and the configuration parser agree: every key the parser
/// knows (asked of the parser itself, `ConfigKeyProbe`) has a row, and every key a row names
/// exists.
@Suite struct ConfigurationReferenceTests {
    /// The paths the first cells of the tables under "## Every key" name, braces and
    /// alternatives expanded: `` `actions.<mandrill,smtp>.from.{email,name}` `` is four paths.
    static func documentedPaths() throws -> [String] {
        let text = try DocumentationFiles.text("docs/configuration.md")
        let section = try #require(text.components(separatedBy: "\n## Every key\n").dropFirst().first)
            .components(separatedBy: "\n## ")[0]
        var paths: [String] = []
        for line in section.components(separatedBy: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            let spans = cell.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            for span in spans { paths += expand(span) }
        }
        return paths
    }

    /// `a.{b,c}` → `a.b`, `a.c`; `x.<p,q>.y` → `x.<p>.y`, `x.<q>.y`.
    static func expand(_ path: String) -> [String] {
        if let open = path.firstIndex(of: "{"), let close = path[open...].firstIndex(of: "}") {
            let head = path[..<open], tail = path[path.index(after: close)...]
            return path[path.index(after: open)..<close].split(separator: ",").flatMap {
                expand(String(head) + String($0) + String(tail))
            }
        }
        if let open = path.firstIndex(of: "<"), let close = path[open...].firstIndex(of: ">"),
            path[open..<close].contains(",")
        {
            let head = path[...open], tail = path[close...]
            return path[path.index(after: open)..<close].split(separator: ",").flatMap {
                expand(String(head) + String($0) + String(tail))
            }
        }
        return [path]
    }

    @Test func everyKeyTheParserKnowsIsDocumentedAndEveryDocumentedKeyExists() throws {
        let known = try ConfigKeyProbe.allPaths()
        #expect(known.count > 150, "the probe found only \(known.count) keys")
        #expect(known.contains("ingress.limits.max_body_bytes"))
        #expect(known.contains("routes[].do[<mandrill>].template"))
        let documented = try Self.documentedPaths()
        let knownSet = Set(known)
        let documentedSet = Set(documented)
        // A map's own row may be left out when rows name its keys.
        func covered(_ path: String) -> Bool {
            documentedSet.contains(path)
                || documented.contains { $0.hasPrefix(path + ".") || $0.hasPrefix(path + "[].") }
        }
        for path in known where !covered(path) {
            Issue.record("docs/configuration.md does not document `\(path)`")
        }
        for path in documented where !knownSet.contains(path) {
            Issue.record("docs/configuration.md documents `\(path)`, which the configuration parser does not know")
        }
    }
}
