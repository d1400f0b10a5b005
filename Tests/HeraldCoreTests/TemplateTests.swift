import HeraldCore
import Testing

@Suite struct TemplateTests {
    private func registration() throws -> Event {
        try Fixtures.event("registration-after.json", as: "registration.after")
    }

    @Test func rendersPathsFiltersAndDefaults() throws {
        let event = try registration()
        let cases: [(String, String)] = [
            ("Hi {{identity.traits.name.first}}!", "Hi Jane!"),
            ("{{ identity.traits.name.last | upper }}", "DOE"),
            ("{{identity.traits.email | lower}}", "jane.doe@example.com"),
            ("{{identity.traits.nickname | default: 'friend'}}", "friend"),
            ("{{identity.metadata_public | default: \"none\"}}", "none"),
            ("{{identity.verifiable_addresses[0].status}}", "sent"),
            ("{{request_headers.Accept-Language[0] | trim}}", "en-US,en;q=0.9,de;q=0.8"),
            ("{{flow.transient_payload.consents | json}}", #"{"newsletter":true,"terms_version":"2025-01"}"#),
            ("{{identity.traits.newsletter}}", "true"),
            ("{{recipient | urlencode}}", "jane.doe%40example.com"),
            ("{{event.locale}}/{{event.method}}", "en-US/password"),
            ("welcome-{{event.locale | language}}", "welcome-en"),
            ("welcome-{{event.locale | lower}}", "welcome-en-us"),
            ("{{! a comment }}x", "x"),
        ]
        for (template, expected) in cases {
            let (output, report) = try Fixtures.render(template, for: event)
            #expect(output == expected, "\(template)")
            #expect(report.missingPaths.isEmpty, "\(template)")
        }
    }

    @Test func languageKeepsThePrimarySubtag() {
        let cases = ["en-US": "en", "pt_BR.UTF-8": "pt", "DE": "de", "zh-Hant-TW": "zh", "": "", "*": "", "-x": ""]
        for (tag, expected) in cases {
            #expect(primaryLanguage(tag) == expected, "\(tag)")
        }
    }

    @Test func missingPathsRenderEmptyAndAreReported() throws {
        let (output, report) = try Fixtures.render("[{{identity.traits.phone}}]", for: try registration())
        #expect(output == "[]")
        #expect(report.missingPaths == ["identity.traits.phone"])
    }

    @Test func sectionsIterateListsAndInvertedSectionsHandleAbsence() throws {
        let event = try registration()
        let (list, _) = try Fixtures.render(
            "{{#identity.verifiable_addresses}}<{{value}}:{{status}}>{{/identity.verifiable_addresses}}", for: event)
        #expect(list == "<jane.doe@example.com:sent>")
        let (truthy, _) = try Fixtures.render(
            "{{#identity.traits.newsletter}}subscribed{{/identity.traits.newsletter}}", for: event)
        #expect(truthy == "subscribed")
        let (inverted, _) = try Fixtures.render(
            "{{^identity.traits.phone}}no phone{{/identity.traits.phone}}", for: event)
        #expect(inverted == "no phone")
        let (current, _) = try Fixtures.render(
            "{{#request_headers.Sec-Fetch-Mode}}[{{.}}]{{/request_headers.Sec-Fetch-Mode}}", for: event)
        #expect(current == "[navigate]")
    }

    @Test func escapesForTheSink() throws {
        let event = try Fixtures.event(
            json: #"{"identity": {"traits": {"name": "<b>Eve</b> & \"co\"", "bad": "Hi\r\nBcc: x@evil.example"}}}"#,
            as: "registration.after")
        #expect(
            try Fixtures.render("<p>{{identity.traits.name}}</p>", sink: .html, for: event).0
                == "<p>&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;co&quot;</p>")
        #expect(try Fixtures.render("{{{identity.traits.name}}}", sink: .html, for: event).0 == "<b>Eve</b> & \"co\"")
        #expect(try Fixtures.render("{{identity.traits.name}}", sink: .text, for: event).0 == "<b>Eve</b> & \"co\"")
        #expect(
            try Fixtures.render("Re: {{identity.traits.bad}}", sink: .header, for: event).0
                == "Re: Hi  Bcc: x@evil.example")
        #expect(
            try Fixtures.render("{{{identity.traits.bad}}}", sink: .header, for: event).0 == "Hi  Bcc: x@evil.example")
    }

    @Test func syntaxErrorsPointAtTheTag() throws {
        let cases: [(String, String)] = [
            ("Hello {{name", "'{{' is not closed with '}}'"),
            ("{{#identity.traits}}x", "section '{{#identity.traits}}' is never closed with '{{/identity.traits}}'"),
            ("x{{/flow}}", "'{{/flow}}' closes a section that was never opened"),
            (
                "{{identity.traits.email | shout}}",
                "unknown filter 'shout' (known: lower, upper, trim, urlencode, json, language, default: '…')"
            ),
            ("{{identity.traits.email | default: x}}", "the value of 'default' must be quoted: default: 'text'"),
            ("{{}}", "empty tag: expected a path such as {{identity.traits.email}}"),
            ("{{identity..email}}", "bad path: empty segment in 'identity..email'"),
        ]
        for (template, message) in cases {
            let diagnostics = ConfigDiagnostics()
            let compiler = TemplateCompiler(
                events: [try #require(EventName("registration.after"))], diagnostics: diagnostics)
            let node = ConfigNode.scalar(template, at: SourceLocation(file: "h.yaml", line: 7, column: 14))
            #expect(compiler.compile(node, key: "subject", sink: .text) == nil)
            #expect(diagnostics.items.map(\.message) == [message], "\(template)")
        }
        // The column points at the tag inside the scalar.
        let diagnostics = ConfigDiagnostics()
        let compiler = TemplateCompiler(events: [], diagnostics: diagnostics)
        _ = compiler.compile(
            ConfigNode.scalar("Hello {{name", at: SourceLocation(file: "h.yaml", line: 7, column: 14)), key: "s",
            sink: .text)
        #expect(diagnostics.items.first?.location == SourceLocation(file: "h.yaml", line: 7, column: 20))
    }

    @Test func pathsThatCanNeverExistAreRejected() throws {
        let diagnostics = ConfigDiagnostics()
        let compiler = TemplateCompiler(
            events: [try #require(EventName("registration.before"))], diagnostics: diagnostics)
        let node = ConfigNode.scalar(
            "Hi {{identity.traits.email}}", at: SourceLocation(file: "h.yaml", line: 3, column: 10))
        #expect(compiler.compile(node, key: "subject", sink: .text) == nil)
        let item = try #require(diagnostics.items.first)
        #expect(item.location == SourceLocation(file: "h.yaml", line: 3, column: 15))
        #expect(
            item.message.hasPrefix(
                "'identity.traits.email' can never exist: payloads of registration.before have no 'identity'"))
        let derived = ConfigDiagnostics()
        _ = TemplateCompiler(events: [], diagnostics: derived).compile(
            .scalar("{{event.flavour}}", at: .builtin("x")), key: "s", sink: .text)
        #expect(derived.items.first?.message.hasPrefix("'event.flavour' is not a field Herald derives") == true)
    }

    @Test func pathsInsideSectionsMayBeRelative() throws {
        let diagnostics = ConfigDiagnostics()
        let compiler = TemplateCompiler(
            events: [try #require(EventName("registration.after"))], diagnostics: diagnostics)
        let node = ConfigNode.scalar(
            "{{#identity.verifiable_addresses}}{{value}}{{/identity.verifiable_addresses}}", at: .builtin("x"))
        #expect(compiler.compile(node, key: "t", sink: .text) != nil)
        #expect(diagnostics.isEmpty)
    }
}

@Suite struct PayloadPathTests {
    @Test func parsesKeysIndexesAndQuotedKeys() throws {
        #expect(
            try PayloadPath(parsing: "identity.verifiable_addresses[0].value").components
                == [.key("identity"), .key("verifiable_addresses"), .index(0), .key("value")])
        #expect(
            try PayloadPath(parsing: "request_headers.User-Agent[0]").components
                == [.key("request_headers"), .key("User-Agent"), .index(0)])
        #expect(
            try PayloadPath(parsing: #"request_cookies["a.b"]"#).components == [.key("request_cookies"), .key("a.b")])
        #expect(try PayloadPath(parsing: "recipient").root == .derived(.recipient))
        #expect(try PayloadPath(parsing: "event.method").root == .derived(.method))
        #expect(try PayloadPath(parsing: "event.method.x").root == .payload)
    }

    @Test(arguments: ["", ".a", "a.", "a..b", "[0]", "a[", "a[x]", "a[0]b", "a b", "a[\"x]", "a[1234567890]"])
    func rejectsMalformedPaths(text: String) {
        #expect(throws: PathSyntaxError.self) { try PayloadPath(parsing: text) }
    }
}
