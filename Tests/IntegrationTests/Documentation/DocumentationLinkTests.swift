import Foundation
import Testing

/// Every relative link in README.md and docs/ leads to a file of the repository, and every
/// `#anchor` to a heading of its page (GitHub's slugs).
@Suite struct DocumentationLinkTests {
    /// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces → `-`.
    static func slug(_ heading: String) -> String {
        let lowered = heading.lowercased()
        let kept = lowered.unicodeScalars.filter {
            CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" || $0 == " "
        }
        return String(String.UnicodeScalarView(kept)).replacingOccurrences(of: " ", with: "-")
    }

    static func anchors(_ page: String) throws -> Set<String> {
        var inFence = false
        var slugs: Set<String> = []
        for line in try DocumentationFiles.text(page).components(separatedBy: "\n") {
            if line.drop(while: { $0 == " " }).hasPrefix("```") { inFence.toggle() }
            guard !inFence, line.hasPrefix("#") else { continue }
            slugs.insert(slug(String(line.drop { $0 == "#" }.dropFirst())))
        }
        return slugs
    }

    @Test func everyRelativeLinkAndAnchorExists() throws {
        let repository = SystemTools.repository
        let regex = try NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        var checked = 0
        for page in try DocumentationFiles.pages() {
            let text = try DocumentationFiles.text(page)
            let directory = (page as NSString).deletingLastPathComponent
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let target = String(text[range])
                if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("mailto:") {
                    continue
                }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let file = parts[0].isEmpty ? page : ((directory as NSString).appendingPathComponent(String(parts[0])))
                let normalized = (file as NSString).standardizingPath
                checked += 1
                guard FileManager.default.fileExists(atPath: repository.appendingPathComponent(normalized).path) else {
                    Issue.record("\(page): the link \(target) leads nowhere (\(normalized))")
                    continue
                }
                if parts.count == 2, normalized.hasSuffix(".md") {
                    let anchors = try Self.anchors(normalized)
                    #expect(anchors.contains(String(parts[1])), "\(page): no heading #\(parts[1]) in \(normalized)")
                }
            }
        }
        #expect(checked > 40)
    }
}
