import HeraldCore
import Testing

@Suite struct ConfigNodeTests {
    private func plain(_ text: String) -> ResolvedScalar? {
        ConfigNode.scalar(text, at: .builtin("test")).resolved
    }

    @Test func onlyTrueAndFalseAreBooleans() {
        #expect(plain("true") == .bool(true))
        #expect(plain("FALSE") == .bool(false))
        for text in ["on", "yes", "NO", "off", "y", "n"] {
            #expect(plain(text) == .string(text))
        }
    }

    @Test func numbersAndNullsFollowTheCoreSchema() {
        #expect(plain("42") == .int(42))
        #expect(plain("-7") == .int(-7))
        #expect(plain("0x1F") == .int(31))
        #expect(plain("0o17") == .int(15))
        #expect(plain("1.5") == .float(1.5))
        #expect(plain("1e3") == .float(1000))
        #expect(plain("~") == .null)
        #expect(plain("") == .null)
        #expect(plain("1.2.3") == .string("1.2.3"))
        #expect(plain("0755x") == .string("0755x"))
    }

    @Test func quotedScalarsAreAlwaysText() {
        let node = ConfigNode(.scalar(.init(text: "true", style: .doubleQuoted)), at: .builtin("test"))
        #expect(node.resolved == .string("true"))
    }

    @Test func secretsAreNeverDisplayed() {
        let node = ConfigNode(.scalar(.init(text: "hunter2", isSecret: true)), at: .builtin("test"))
        #expect(node.displayValue == "<secret>")
    }

    @Test func unknownKeysAreReportedWithASuggestion() throws {
        let location = SourceLocation(file: "h.yaml", line: 3, column: 5)
        let node = ConfigNode(
            .mapping([.init(key: .scalar("api_kye", at: location), value: .scalar("x", at: location))]),
            at: .builtin("test"))
        let diagnostics = ConfigDiagnostics()
        _ = ConfigMap(node, keys: ["api_key", "from"], what: "action 'mail'", diagnostics: diagnostics)
        let item = try #require(diagnostics.items.first)
        #expect(item.location == location)
        #expect(item.message == "unknown key 'api_kye' in action 'mail'; did you mean 'api_key'?")
    }
}
