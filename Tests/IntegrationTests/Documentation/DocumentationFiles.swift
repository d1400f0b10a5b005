import Foundation

/// README.md and every page under docs/, and the fenced blocks in them, for the tests that keep
/// the documentation true.
enum DocumentationFiles {
    /// One fenced block: its file and 1-based line, the info string's words, and its text.
    struct Block {
        let file: String
        let line: Int
        let language: String
        /// The words after the language: `drop-in`, `not-config …`, `absent=PATH`, `route-test`.
        let marks: [String]
        let text: String

        var location: String { "\(file):\(line)" }
    }

    /// Paths relative to the repository: README.md, then docs/**/*.md, sorted.
    static func pages() throws -> [String] {
        let docs = SystemTools.repository.appendingPathComponent("docs")
        let enumerator = FileManager.default.enumerator(atPath: docs.path)
        var pages: [String] = []
        while let name = enumerator?.nextObject() as? String {
            if name.hasSuffix(".md") { pages.append("docs/" + name) }
        }
        return ["README.md"] + pages.sorted()
    }

    static func text(_ page: String) throws -> String {
        try String(contentsOf: SystemTools.repository.appendingPathComponent(page), encoding: .utf8)
    }

    /// Every fenced block of every page, its indentation (a block inside a list item) removed.
    static func blocks() throws -> [Block] {
        try pages().flatMap { page in try blocks(in: text(page), file: page) }
    }

    static func blocks(in text: String, file: String) -> [Block] {
        let lines = text.components(separatedBy: "\n")
        var blocks: [Block] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("```") else {
                index += 1
                continue
            }
            let indent = line.count - trimmed.count
            let words = trimmed.dropFirst(3).split(separator: " ").map(String.init)
            var body: [String] = []
            var end = index + 1
            while end < lines.count, lines[end].drop(while: { $0 == " " }) != "```" {
                body.append(String(lines[end].dropFirst(min(indent, lines[end].prefix { $0 == " " }.count))))
                end += 1
            }
            blocks.append(
                Block(
                    file: file, line: index + 1, language: words.first ?? "", marks: Array(words.dropFirst()),
                    text: body.joined(separator: "\n") + "\n"))
            index = end + 1
        }
        return blocks
    }

    /// The text of every `inline code` span outside fenced blocks, with its page.
    static func inlineCode() throws -> [(page: String, code: String)] {
        var spans: [(String, String)] = []
        for page in try pages() {
            var inFence = false
            for line in try text(page).components(separatedBy: "\n") {
                if line.drop(while: { $0 == " " }).hasPrefix("```") {
                    inFence.toggle()
                    continue
                }
                guard !inFence else { continue }
                let parts = line.components(separatedBy: "`")
                // Odd parts are inside backticks (a double-backtick span splits into empty parts).
                for (offset, part) in parts.enumerated() where offset % 2 == 1 && !part.isEmpty {
                    spans.append((page, part))
                }
            }
        }
        return spans
    }
}
