import Foundation
import HeraldCore
import Testing

@Suite struct JSONDocumentTests {
    @Test func payloadsArePresent() {
        #expect(JSONFixtures.payloadFiles().count >= 14)
    }

    @Test(arguments: JSONFixtures.payloadFiles())
    func parsesKratosPayload(name: String) throws {
        let bytes = try JSONFixtures.payloadBytes(name)
        let document = try JSONDocument(parsing: bytes)
        let tree = document.root.json
        #expect(document.root.kind == .object)

        // The same structure as Foundation sees.
        let theirs = try #require(foundationParse(bytes))
        #expect(sameValue(tree, theirs))

        // Materialize → serialize → reparse gives the same tree; the cursor writes the same bytes.
        let serialized = tree.serialized()
        #expect(try JSONDocument(parsing: serialized).root.json == tree)
        var writer = JSONWriter()
        document.root.write(to: &writer)
        #expect(writer.bytes == serialized)
        #expect(try JSONDocument(parsing: tree.prettyPrinted()).root.json == tree)
    }

    @Test func looksUpPathsInRegistrationPayload() throws {
        let root = try JSONDocument(parsing: JSONFixtures.payloadBytes("registration-after.json")).root
        #expect(root["identity"]?["traits"]?["email"]?.string == "jane.doe@example.com")
        #expect(root["identity"]?["traits"]?["email"]?.stringEquals("jane.doe@example.com") == true)
        #expect(root["identity"]?["verifiable_addresses"]?[0]?["value"]?.string == "jane.doe@example.com")
        #expect(root["request_headers"]?["User-Agent"]?[0]?.string?.hasPrefix("Mozilla/5.0 (Macintosh") == true)
        #expect(root["flow"]?["transient_payload"]?["locale"]?.string == "en-US")
        #expect(root["flow"]?["type"]?.stringEquals("browser") == true)
        #expect(root["flow"]?["transient_payload"]?["consents"]?["newsletter"]?.bool == true)
        #expect(root["identity"]?["metadata_public"]?.isNull == true)
        #expect(root["identity"]?["traits"]?["missing"] == nil)
        #expect(root["identity"]?["traits"]?["email"]?["x"] == nil)
        #expect(root["identity"]?["verifiable_addresses"]?[1] == nil)
        #expect(root["identity"]?["verifiable_addresses"]?[-1] == nil)
        #expect(root.count == 6)
        #expect(
            root.members.map(\.key) == [
                "flow", "identity", "request_cookies", "request_headers", "request_method", "request_url",
            ])
    }

    @Test func acceptsEveryTopLevelValue() throws {
        #expect(try JSONDocument(parsing: "null").root.isNull)
        #expect(try JSONDocument(parsing: " true ").root.bool == true)
        #expect(try JSONDocument(parsing: "\t-12.5e1\r\n").root.number == -125)
        #expect(try JSONDocument(parsing: #""hi""#).root.string == "hi")
        #expect(try JSONDocument(parsing: "[]").root.count == 0)
        #expect(try JSONDocument(parsing: "{}").root.kind == .object)
    }

    @Test func parsesFromRawBuffer() throws {
        let bytes: [UInt8] = Array(#"{"a":[1,2]}"#.utf8)
        let document = try bytes.withUnsafeBytes { (buffer) throws(JSONParseError) in
            try JSONDocument(parsing: buffer)
        }
        #expect(document.root["a"]?[1]?.int == 2)
    }

    @Test(arguments: [
        ("", 0, "unexpected end of input"),
        ("   ", 3, "unexpected end of input"),
        ("[1,]", 3, "unexpected character ']', expected a value"),
        ("[1 2]", 3, "unexpected character '2', expected ',' or ']'"),
        (#"{"a" 1}"#, 5, "unexpected character '1', expected ':'"),
        (#"{"a":1,}"#, 7, "unexpected character '}', expected a string key"),
        ("{'a':1}", 1, "unexpected character ''', expected a string key"),
        ("[01]", 2, "leading zero in number"),
        ("[-]", 2, "invalid number, unexpected character ']'"),
        ("[1.]", 3, "invalid number, unexpected character ']'"),
        ("[1e+]", 4, "invalid number, unexpected character ']'"),
        ("[NaN]", 1, "unexpected character 'N', expected a value"),
        ("[tru]", 1, "invalid literal, expected 'true'"),
        (#"["abc"#, 1, "unterminated string"),
        ("\"a\u{01}\"", 2, "unescaped control character in string"),
        (#""\x""#, 1, "invalid escape"),
        (#""\u12G4""#, 1, #"invalid \u escape"#),
        ("[1] x", 4, "trailing characters after the value"),
        ("[1]]", 3, "trailing characters after the value"),
        ("/* c */ 1", 0, "unexpected character '/', expected a value"),
        ("\u{0C}1", 0, "unexpected byte 0x0C, expected a value"),
    ])
    func reportsOffsetAndReason(text: String, offset: Int, reason: String) {
        #expect(throws: JSONParseError(offset: offset, reason: reason)) { try JSONDocument(parsing: text) }
    }

    @Test(
        arguments: [
            ([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], 0, "byte order mark is not allowed"),
            ([0x22, 0xC3, 0x28, 0x22], 1, "invalid UTF-8"),  // bad continuation
            ([0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8"),  // overlong '/'
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1, "invalid UTF-8"),  // overlong, 3 bytes
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8"),  // U+D800 encoded in UTF-8
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "invalid UTF-8"),  // above U+10FFFF
            ([0x22, 0x61, 0xE2, 0x82], 2, "invalid UTF-8"),  // truncated at the end
            ([0x22, 0xE2, 0x82, 0x22], 1, "invalid UTF-8"),  // truncated before the quote
            ([0x22, 0x80, 0x22], 1, "invalid UTF-8"),  // lone continuation byte
            ([0x22, 0xFF, 0x22], 1, "invalid UTF-8"),
        ] as [([UInt8], Int, String)])
    func rejectsInvalidUTF8(bytes: [UInt8], offset: Int, reason: String) {
        #expect(throws: JSONParseError(offset: offset, reason: reason)) { try JSONDocument(parsing: bytes) }
    }

    @Test func errorDescriptionNamesTheOffset() {
        #expect(
            JSONParseError(offset: 17, reason: "unexpected character 'x'").description
                == "at byte 17: unexpected character 'x'")
    }

    @Test func enforcesDepthLimitAtTheBoundary() throws {
        let limit = JSONLimits.default.maxDepth
        let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try JSONDocument(parsing: atLimit).root.count == 1)
        let objects = String(repeating: #"{"a":"#, count: limit) + "1" + String(repeating: "}", count: limit)
        #expect(try JSONDocument(parsing: objects).root["a"]?["a"]?.count == 1)

        let beyond = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONParseError(offset: limit, reason: "nesting deeper than \(limit)")) {
            try JSONDocument(parsing: beyond)
        }
        let small = JSONLimits(maxDepth: 2)
        #expect(throws: JSONParseError(offset: 6, reason: "nesting deeper than 2")) {
            try JSONDocument(parsing: #"{"a":[{}]}"#, limits: small)
        }
        #expect(try JSONDocument(parsing: #"{"a":[1]}"#, limits: small).root["a"]?[0]?.int == 1)
    }

    @Test func survivesHostileNesting() {
        // Far deeper than any stack would allow if parsing recursed; rejected at the limit.
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONParseError(offset: 128, reason: "nesting deeper than 128")) {
            try JSONDocument(parsing: bytes)
        }
        let unlimited = JSONLimits(maxDepth: .max)
        #expect(throws: JSONParseError(offset: 1_000_000, reason: "unexpected end of input")) {
            try JSONDocument(parsing: bytes, limits: unlimited)
        }
    }

    @Test func enforcesSizeLimit() throws {
        let limits = JSONLimits(maxBytes: 8)
        #expect(try JSONDocument(parsing: "[1,2,34]", limits: limits).root.count == 3)
        #expect(throws: JSONParseError(offset: 8, reason: "input larger than 8 bytes")) {
            try JSONDocument(parsing: "[1,2,345]", limits: limits)
        }
    }

    @Test func keepsSourceBytesAndRanges() throws {
        let document = try JSONDocument(parsing: #" {"a": [1, "x"]} "#)
        let a = try #require(document.root["a"])
        #expect(a.sourceRange == 7..<15)
        #expect(document.root.sourceRange == 1..<16)
        #expect(Array(document.bytes[a.sourceRange]) == Array(#"[1, "x"]"#.utf8))
    }
}
