import HeraldConfig
import HeraldCore
import Testing

/// Everything the loader refuses, each pinned to its line and column.
@Suite struct YAMLLoaderStrictnessTests {
    private let aliasMessage = "anchors and aliases are not supported; repeat the value instead"

    @Test func duplicateKeysAreReportedAtTheSecondOne() throws {
        let (root, errors) = load("a: 1\nb:\n  x: 1\n  x: 2\na: 3\n")
        #expect(
            errors == [
                "t.yaml:4:3: duplicate key 'x' (first defined at line 3)",
                "t.yaml:5:1: duplicate key 'a' (first defined at line 1)",
            ])
        // The first definition is kept.
        #expect(try #require(root)["a"]?.resolved == .int(1))
        #expect(root?.mapping?.count == 2)
    }

    @Test func duplicateKeysInFlowMappingsAndAcrossQuoting() {
        #expect(load("{x: 1, x: 2}").1 == ["t.yaml:1:8: duplicate key 'x' (first defined at line 1)"])
        #expect(load("x: 1\n'x': 2\n").1 == ["t.yaml:2:1: duplicate key 'x' (first defined at line 1)"])
    }

    @Test func anchorsAndAliasesAreRejected() {
        let (_, errors) = load("base: &b\n  x: 1\nother: *b\nlist: [&i 1, *i]\n")
        #expect(
            errors == [
                "t.yaml:1:7: \(aliasMessage)",
                "t.yaml:3:8: \(aliasMessage)",
                "t.yaml:4:8: \(aliasMessage)",
                "t.yaml:4:14: \(aliasMessage)",
            ])
    }

    @Test func mergeKeysAreRejected() throws {
        let (root, errors) = load("route:\n  <<: {b: 2}\n  c: 3\n")
        #expect(errors == ["t.yaml:2:3: merge keys ('<<') are not supported; repeat the value instead"])
        #expect(try #require(root)["route"]?.mapping?.count == 1)
        // A quoted "<<" is an ordinary key.
        #expect(load("'<<': 1\n").1 == [])
    }

    @Test func aliasAsAKeyDropsThePair() throws {
        let (root, errors) = load("a: &k key\n*k : 2\n")
        #expect(errors == ["t.yaml:1:4: \(aliasMessage)", "t.yaml:2:1: \(aliasMessage)"])
        #expect(try #require(root).mapping?.count == 1)
    }

    @Test func aSecondDocumentIsRejected() throws {
        let (root, errors) = load("a: 1\n---\nb: 2\n")
        #expect(errors == ["t.yaml:2:1: only one YAML document per file"])
        #expect(try #require(root)["a"]?.resolved == .int(1))
        #expect(load("---\na: 1\n...\n---\nb: 2\n").1 == ["t.yaml:4:1: only one YAML document per file"])
    }

    @Test func oversizedTextIsRejected() {
        let (root, errors) = load("a: 12345678\n") { $0.maxFileBytes = 10 }
        #expect(root == nil)
        #expect(errors == ["t.yaml:1:1: the configuration file is 12 bytes, more than the limit of 10 bytes"])
    }

    @Test func oversizedFilesAreRejectedWithoutParsing() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/big.yaml"
            try write("a: " + String(repeating: "x", count: 2_000) + "\n", to: path)
            var loader = YAMLLoader()
            loader.maxFileBytes = 1_024
            let diagnostics = ConfigDiagnostics()
            #expect(loader.load(contentsOf: path, diagnostics: diagnostics) == nil)
            #expect(
                diagnostics.items.map(\.description) == [
                    "\(path):1:1: the configuration file is 2004 bytes, more than the limit of 1024 bytes"
                ])
        }
    }

    @Test func unreadableFilesAreReported() {
        let diagnostics = ConfigDiagnostics()
        #expect(YAMLLoader().load(contentsOf: "/nonexistent/herald.yaml", diagnostics: diagnostics) == nil)
        #expect(
            diagnostics.items.map(\.description) == [
                "/nonexistent/herald.yaml:1:1: cannot read the configuration file: No such file or directory"
            ])
    }

    @Test func nestingDeeperThanTheLimitIsRejected() {
        let (root, errors) = load("a: {b: {c: {d: 1}}}\n") { $0.maxDepth = 3 }
        #expect(root == nil)
        #expect(errors == ["t.yaml:1:12: nesting is deeper than 3 levels"])
        #expect(load("a: {b: {c: 1}}\n") { $0.maxDepth = 3 }.1 == [])
    }

    @Test func deepNestingBombStopsAtTheDefaultLimit() {
        let (root, errors) = load(String(repeating: "[", count: 100_000))
        #expect(root == nil)
        #expect(errors == ["t.yaml:1:65: nesting is deeper than 64 levels"])
    }

    @Test func tooManyNodesAreRejected() {
        let (root, errors) = load("[1, 2, 3, 4, 5, 6]\n") { $0.maxNodes = 5 }
        #expect(root == nil)
        // The list itself is the first node; the fifth item is the sixth.
        #expect(errors == ["t.yaml:1:14: the document has more than 5 values"])
    }

    @Test func billionLaughsIsRejectedWithoutExpanding() throws {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        let (root, errors) = load(text)
        let node = try #require(root)
        #expect(errors.count == 9 + 8 * 9)
        #expect(errors.allSatisfy { $0.hasSuffix(aliasMessage) })
        #expect(errors.first == "t.yaml:1:4: \(aliasMessage)")
        // Nothing was expanded: each alias is one placeholder.
        #expect(node["i"]?.sequence?.count == 9)
        #expect(node["i"]?[0]?.isNull == true)
    }

    @Test func errorFloodStopsEarly() {
        let text = (0..<500).map { "k\($0): *x" }.joined(separator: "\n")
        let (root, errors) = load(text)
        #expect(root == nil)
        #expect(errors.count == 102)
        #expect(errors.last == "t.yaml:1:1: too many errors; stopped reading this file")
    }

    @Test func unsupportedTagsAreRejected() {
        let hint = "only !!str, !!int, !!bool, !!float, !!null, !!map and !!seq are allowed"
        #expect(load("a: !foo x\n").1 == ["t.yaml:1:4: unsupported tag '!foo'; \(hint)"])
        #expect(load("a:\n  b: !!binary aGVsbG8=\n").1 == ["t.yaml:2:6: unsupported tag '!!binary'; \(hint)"])
        #expect(load("a: !!python/object {}\n").1 == ["t.yaml:1:4: unsupported tag '!!python/object'; \(hint)"])
        #expect(load("a: !!map x\n").1 == ["t.yaml:1:4: tag !!map cannot be used on a single value"])
        #expect(load("a: !!str [x]\n").1 == ["t.yaml:1:4: tag !!str cannot be used on a list"])
        #expect(load("a: !!seq {x: 1}\n").1 == ["t.yaml:1:4: tag !!seq cannot be used on a map"])
        #expect(load("a: !!int abc\n").1 == ["t.yaml:1:4: 'abc' does not fit its tag !!int"])
        #expect(load("a: !!bool yes\n").1 == ["t.yaml:1:4: 'yes' does not fit its tag !!bool"])
    }

    @Test func nonScalarKeysAreRejected() throws {
        let (root, errors) = load("? [a, b]\n: 1\nc: 2\n")
        #expect(errors == ["t.yaml:1:3: a key must be a single value, not a list"])
        #expect(try #require(root).mapping?.count == 1)
        #expect(load("{{x: 1}: 2}\n").1 == ["t.yaml:1:2: a key must be a single value, not a map"])
    }

    @Test func tabIndentationIsASyntaxError() {
        let (root, errors) = load("a:\n\tb: 1\n")
        #expect(root == nil)
        #expect(
            errors == [
                "t.yaml:2:1: found character that cannot start any token (while scanning for the next token); indent with spaces, not tabs"
            ])
    }

    @Test func unterminatedQuoteIsASyntaxError() {
        let (root, errors) = load("a: 1\nb: \"abc\nc: 2\n")
        #expect(root == nil)
        #expect(
            errors == [
                "t.yaml:4:1: found unexpected end of stream (while scanning a quoted scalar at line 2, column 4)"
            ])
    }

    @Test func parserErrorsCarryLibyamlsText() {
        #expect(
            load("a: @x\n").1 == [
                "t.yaml:1:4: found character that cannot start any token (while scanning for the next token)"
            ])
        #expect(load("a: [1, 2\nb: 3\n").1.count == 1)
        #expect(
            load("a: b: c\n").1 == [
                "t.yaml:1:5: mapping values are not allowed in this context"
            ])
    }

    @Test func invalidUTF8IsReportedAtItsCharacterColumn() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/bad.yaml"
            try write(Array("a: ok\nbé: ".utf8) + [0xFF] + Array("\n".utf8), to: path)
            let loader = YAMLLoader()
            let diagnostics = ConfigDiagnostics()
            #expect(loader.load(contentsOf: path, diagnostics: diagnostics) == nil)
            #expect(diagnostics.items.map(\.description) == ["\(path):2:5: invalid leading UTF-8 octet 0xFF"])
            // The quoted line shows the bad byte as a replacement character.
            #expect(loader.sources.line(2, of: path) == "bé: \u{FFFD}")
        }
    }

    @Test func controlCharactersAreReported() {
        #expect(load("a: b\u{07}\n").1 == ["t.yaml:1:5: control characters are not allowed (U+0007)"])
    }
}
