import HeraldConfig
import HeraldCore
import Testing

/// What the loader accepts, and the positions it gives.
@Suite struct YAMLLoaderTests {
    @Test func nestedBlockAndFlowNodesHaveTheirPositions() throws {
        let (root, errors) = load(
            """
            listen:
              - "127.0.0.1:4470"
            ingress:
              limits: { max_body_bytes: 1048576 }
            events: [a, b]
            """)
        #expect(errors == [])
        let node = try #require(root)
        #expect(position(node) == "1:1")
        #expect(position(node.keyNode("listen")) == "1:1")
        #expect(position(node["listen"]) == "2:3")
        #expect(position(node["listen"]?[0]) == "2:5")
        #expect(node["listen"]?[0]?.scalar == .init(text: "127.0.0.1:4470", style: .doubleQuoted))
        #expect(position(node.keyNode("ingress")) == "3:1")
        #expect(position(node["ingress"]) == "4:3")
        #expect(position(node["ingress"]?.keyNode("limits")) == "4:3")
        let limits = try #require(node["ingress"]?["limits"])
        #expect(position(limits) == "4:11")
        #expect(position(limits.keyNode("max_body_bytes")) == "4:13")
        #expect(position(limits["max_body_bytes"]) == "4:29")
        #expect(limits["max_body_bytes"]?.resolved == .int(1_048_576))
        #expect(position(node["events"]) == "5:9")
        #expect(position(node["events"]?[0]) == "5:10")
        #expect(position(node["events"]?[1]) == "5:13")
    }

    @Test func keysKeepDocumentOrder() throws {
        let (root, _) = load("b: 1\na: 2\nc: 3\n")
        let keys = try #require(root?.mapping).map { $0.key.scalar?.text }
        #expect(keys == ["b", "a", "c"])
    }

    @Test func scalarStylesAreKept() throws {
        let (root, errors) = load(
            """
            plain: hello world
            single: 'it''s'
            double: "tab\\tend"
            literal: |
              line one
              line two
            folded: >
              one
              two

            """)
        #expect(errors == [])
        let node = try #require(root)
        #expect(node["plain"]?.scalar == .init(text: "hello world", style: .plain))
        #expect(node["single"]?.scalar == .init(text: "it's", style: .singleQuoted))
        #expect(node["double"]?.scalar == .init(text: "tab\tend", style: .doubleQuoted))
        #expect(node["literal"]?.scalar == .init(text: "line one\nline two\n", style: .literal))
        #expect(position(node["literal"]) == "4:10")
        #expect(node["folded"]?.scalar == .init(text: "one two\n", style: .folded))
    }

    @Test func yamlOneOneBooleansStayStrings() throws {
        let (root, _) = load("a: on\nb: yes\nc: NO\nd: true\ne: 'true'\ncountry: NO\n")
        let node = try #require(root)
        #expect(node["a"]?.resolved == .string("on"))
        #expect(node["b"]?.resolved == .string("yes"))
        #expect(node["c"]?.resolved == .string("NO"))
        #expect(node["d"]?.resolved == .bool(true))
        #expect(node["e"]?.resolved == .string("true"))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let (root, errors) = load("\"ééé\": x\n🙂🙂: [ü, y]\n")
        #expect(errors == [])
        let node = try #require(root)
        #expect(position(node["ééé"]) == "1:8")
        #expect(position(node["🙂🙂"]) == "2:5")
        #expect(position(node["🙂🙂"]?[1]) == "2:9")
    }

    @Test func emptyAndCommentOnlyTextIsANullDocument() throws {
        for text in ["", "# nothing here\n", "\n\n", "---\n"] {
            let (root, errors) = load(text)
            #expect(errors == [], "\(text)")
            #expect(try #require(root).isNull, "\(text)")
        }
        #expect(position(load("").0) == "1:1")
    }

    @Test func commentsAreIgnored() throws {
        let (root, errors) = load("# header\na: 1 # trailing\n# between\nb: [x, # inside\n  y]\n")
        #expect(errors == [])
        let node = try #require(root)
        #expect(node["a"]?.resolved == .int(1))
        #expect(position(node.keyNode("b")) == "4:1")
        #expect(node["b"]?.sequence?.count == 2)
        #expect(position(node["b"]?[1]) == "5:3")
    }

    @Test func missingValueIsNull() throws {
        let (root, errors) = load("a:\nb: 1\n")
        #expect(errors == [])
        #expect(try #require(root)["a"]?.isNull == true)
    }

    @Test func explicitDocumentMarkersAreOneDocument() throws {
        let (root, errors) = load("---\na: 1\n...\n")
        #expect(errors == [])
        #expect(root?["a"]?.resolved == .int(1))
    }

    @Test func coreTagsChooseTheType() throws {
        let (root, errors) = load(
            "port: !!str 8080\nempty: !!str\ncount: !!int \"42\"\nratio: !!float 1\nflag: !!bool true\n"
                + "nothing: !!null ~\nmap: !!map {a: 1}\nlist: !!seq [1]\n")
        #expect(errors == [])
        let node = try #require(root)
        #expect(node["port"]?.resolved == .string("8080"))
        #expect(node["port"]?.scalar?.style == .doubleQuoted)
        #expect(node["empty"]?.resolved == .string(""))
        #expect(node["count"]?.resolved == .int(42))
        #expect(node["ratio"]?.resolved == .int(1))
        #expect(node["flag"]?.resolved == .bool(true))
        #expect(node["nothing"]?.isNull == true)
        #expect(node["map"]?.mapping?.count == 1)
        #expect(node["list"]?.sequence?.count == 1)
    }

    @Test func aByteOrderMarkDoesNotShiftColumns() throws {
        let (root, errors) = load("\u{FEFF}a: 1\n")
        #expect(errors == [])
        #expect(position(root?["a"]) == "1:4")
    }

    @Test func crlfLineBreaksCountOnce() throws {
        let (root, errors) = load("a: 1\r\nb: 2\r\n")
        #expect(errors == [])
        #expect(position(root?["b"]) == "2:4")
    }

    @Test func filesAreReadAndCached() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/herald.yaml"
            try write("state_dir: /var/lib/herald\nroutes: []\n", to: path)
            let loader = YAMLLoader()
            let diagnostics = ConfigDiagnostics()
            let root = try #require(loader.load(contentsOf: path, diagnostics: diagnostics))
            #expect(diagnostics.isEmpty)
            #expect(root["state_dir"]?.location == SourceLocation(file: path, line: 1, column: 12))
            #expect(loader.sources.line(2, of: path) == "routes: []")
        }
    }
}
