import Foundation
import HeraldCore

/// Reads scalars and one-line flow collections for `TestYAML`.
struct FlowScanner {
    let text: [Character]
    var offset: Int

    var atEnd: Bool { offset >= text.count }
    var peek: Character? { atEnd ? nil : text[offset] }

    mutating func skipSpaces() {
        while peek == " " { offset += 1 }
    }

    mutating func expect(_ character: Character) {
        if peek == character { offset += 1 }
    }

    /// A value in block context: a flow collection, or a scalar running to the end of the line.
    mutating func value(at locate: (Int) -> SourceLocation, env: [String: String]) -> ConfigNode {
        if peek == "{" || peek == "[" { return collection(at: locate, env: env) }
        return scalar(stoppingAtColon: false, flow: false, at: locate, env: env)
    }

    mutating func collection(at locate: (Int) -> SourceLocation, env: [String: String]) -> ConfigNode {
        let start = locate(offset)
        let isMapping = peek == "{"
        let close: Character = isMapping ? "}" : "]"
        offset += 1
        var items: [ConfigNode] = []
        var pairs: [ConfigNode.Pair] = []
        skipSpaces()
        while !atEnd, peek != close {
            if isMapping {
                let key = scalar(stoppingAtColon: true, flow: true, at: locate, env: env)
                skipSpaces()
                expect(":")
                skipSpaces()
                pairs.append(ConfigNode.Pair(key: key, value: flowItem(at: locate, env: env)))
            } else {
                items.append(flowItem(at: locate, env: env))
            }
            skipSpaces()
            expect(",")
            skipSpaces()
        }
        expect(close)
        return ConfigNode(isMapping ? .mapping(pairs) : .sequence(items), at: start)
    }

    private mutating func flowItem(at locate: (Int) -> SourceLocation, env: [String: String]) -> ConfigNode {
        if peek == "{" || peek == "[" { return collection(at: locate, env: env) }
        return scalar(stoppingAtColon: false, flow: true, at: locate, env: env)
    }

    mutating func scalar(
        stoppingAtColon: Bool, flow: Bool = false, at locate: (Int) -> SourceLocation, env: [String: String]
    ) -> ConfigNode {
        let start = locate(offset)
        var result = ""
        var style = ConfigNode.ScalarStyle.plain
        if let quote = peek, quote == "\"" || quote == "'" {
            style = quote == "\"" ? .doubleQuoted : .singleQuoted
            offset += 1
            while let character = peek, character != quote {
                offset += 1
                if character == "\\" && quote == "\"", let escaped = peek {
                    offset += 1
                    result.append(escaped == "n" ? "\n" : escaped == "t" ? "\t" : escaped)
                } else {
                    result.append(character)
                }
            }
            offset += 1
        } else {
            while let character = peek {
                let next: Character? = offset + 1 < text.count ? text[offset + 1] : nil
                if stoppingAtColon && character == ":" && (next == nil || next == " ") { break }
                if flow && (character == "," || character == "}" || character == "]") { break }
                result.append(character)
                offset += 1
            }
            while result.last == " " { result.removeLast() }
        }
        var isSecret = false
        for (name, value) in env where result.contains("${env:\(name)}") {
            result = result.replacingOccurrences(of: "${env:\(name)}", with: value)
            isSecret = true
        }
        return ConfigNode(.scalar(.init(text: result, style: style, isSecret: isSecret)), at: start)
    }
}
