import HeraldConfig
import HeraldCore
import Testing

@Suite struct DiagnosticRendererTests {
    private func diagnostic(_ file: String, _ line: Int, _ column: Int, _ message: String) -> ConfigDiagnostic {
        ConfigDiagnostic(message, at: SourceLocation(file: file, line: line, column: column))
    }

    @Test func quotesTheLineWithACaretUnderTheColumn() {
        let sources = SourceCache()
        let lines = (1...11).map { "# line \($0)" } + ["      tempalte: welcome", "last"]
        sources.store(lines.joined(separator: "\n") + "\n", for: "/etc/herald/herald.yaml")
        let text = DiagnosticRenderer(sources: sources).render(
            diagnostic(
                "/etc/herald/herald.yaml", 12, 7,
                "unknown key 'tempalte' in step 1 of route 'welcome'; did you mean 'template'?"))
        #expect(
            text == """
                /etc/herald/herald.yaml:12:7: unknown key 'tempalte' in step 1 of route 'welcome'; did you mean 'template'?
                   12 |       tempalte: welcome
                      |       ^
                """)
    }

    @Test func withoutTheSourceOnlyTheFirstLineIsPrinted() {
        let renderer = DiagnosticRenderer(sources: SourceCache())
        #expect(renderer.render(diagnostic("<built-in>", 1, 1, "bad")) == "<built-in>:1:1: bad")
        let sources = SourceCache()
        sources.store("a: 1\n", for: "t.yaml")
        #expect(DiagnosticRenderer(sources: sources).render(diagnostic("t.yaml", 9, 1, "x")) == "t.yaml:9:1: x")
    }

    @Test func tabsAreExpandedInTheQuoteAndForTheCaret() {
        let sources = SourceCache()
        sources.store("a:\n\tb: 1\nx\t\ty: 2\n", for: "t.yaml")
        let renderer = DiagnosticRenderer(sources: sources)
        #expect(renderer.render(diagnostic("t.yaml", 2, 2, "m")) == "t.yaml:2:2: m\n   2 |     b: 1\n     |     ^")
        #expect(
            renderer.render(diagnostic("t.yaml", 3, 4, "m")) == "t.yaml:3:4: m\n   3 | x       y: 2\n     |         ^")
    }

    @Test func multibyteCharactersCountOnce() {
        let sources = SourceCache()
        sources.store("ünï: 🙂x\n", for: "t.yaml")
        #expect(
            DiagnosticRenderer(sources: sources).render(diagnostic("t.yaml", 1, 7, "m"))
                == "t.yaml:1:7: m\n   1 | ünï: 🙂x\n     |       ^")
    }

    @Test func aColumnPastTheEndPointsJustAfterTheLine() {
        let sources = SourceCache()
        sources.store("abc\n", for: "t.yaml")
        let renderer = DiagnosticRenderer(sources: sources)
        #expect(renderer.render(diagnostic("t.yaml", 1, 9, "m")) == "t.yaml:1:9: m\n   1 | abc\n     |    ^")
        // The empty line after the final line break is where end-of-stream errors point.
        #expect(renderer.render(diagnostic("t.yaml", 2, 1, "m")) == "t.yaml:2:1: m\n   2 | \n     | ^")
    }

    @Test func controlCharactersAreNotPassedToTheTerminal() {
        let sources = SourceCache()
        sources.store("a: \u{1B}[31mred\n", for: "t.yaml")
        #expect(
            DiagnosticRenderer(sources: sources).render(diagnostic("t.yaml", 1, 4, "m"))
                == "t.yaml:1:4: m\n   1 | a: ?[31mred\n     |    ^")
    }

    @Test func rendersLoaderErrorsFromTheCachedText() {
        let loader = YAMLLoader()
        let diagnostics = ConfigDiagnostics()
        _ = loader.load(
            text: "routes:\n  - name: a\n    name: b\nkey: ${env:X}\nkey: 2\n", file: "h.yaml", diagnostics: diagnostics
        )
        // A later change to the text stored elsewhere does not matter: the cache has what was parsed.
        let text = DiagnosticRenderer(sources: loader.sources).render(diagnostics.sorted)
        #expect(
            text == """
                h.yaml:3:5: duplicate key 'name' (first defined at line 2)
                   3 |     name: b
                     |     ^
                h.yaml:5:1: duplicate key 'key' (first defined at line 4)
                   5 | key: 2
                     | ^

                """)
    }
}
