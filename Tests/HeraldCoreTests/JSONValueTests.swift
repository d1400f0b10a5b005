import HeraldCore
import Testing

@Suite struct JSONValueTests {
    private func value(_ text: String) throws -> JSONValue {
        try JSONDocument(parsing: text).root
    }

    @Test func theEmptyObjectIsTheParsedOne() throws {
        let empty = JSONValue.emptyObject
        let parsed = try value("{}")
        #expect(empty.kind == .object)
        #expect(empty.count == parsed.count)
        #expect(empty["anything"] == nil)
        #expect(Array(empty.members).isEmpty)
        #expect(empty.json == parsed.json)
        #expect(empty.sourceRange == parsed.sourceRange)
    }

    @Test(arguments: [
        (#""a\"b\\c\/d""#, "a\"b\\c/d"),
        (#""\b\f\n\r\t""#, "\u{08}\u{0C}\n\r\t"),
        (#""\u0041\u00e9\u20AC""#, "Aé€"),
        (#""\u0000""#, "\u{0}"),
        (#""\uD834\uDD1E""#, "𝄞"),  // surrogate pair
        (#""\ud83d\ude00x""#, "😀x"),
        (#""\uD800""#, "\u{FFFD}"),  // lone high surrogate
        (#""\uDC00""#, "\u{FFFD}"),  // lone low surrogate
        (#""\uD800\u0041""#, "\u{FFFD}A"),  // high surrogate then a non-surrogate
        (#""\uD800\uD800\uDC00""#, "\u{FFFD}𐀀"),
        (#""\uDC00\uD800""#, "\u{FFFD}\u{FFFD}"),  // inverted pair
        ("\"héllo wörld ✓ 𝄞\"", "héllo wörld ✓ 𝄞"),  // raw UTF-8
        (
            #""a long string without any escapes, longer than a word""#,
            "a long string without any escapes, longer than a word"
        ),
    ])
    func decodesStrings(source: String, expected: String) throws {
        let string = try value(source)
        #expect(string.string == expected)
        #expect(Array((string.string ?? "").utf8) == Array(expected.utf8))
        #expect(string.stringEquals(expected))
        #expect(!string.stringEquals(expected + "x"))
        #expect(string.json == .string(expected))
    }

    @Test func looksUpKeysWithEscapes() throws {
        let object = try value(#"{"a\u0062":1, "c\"d": 2, "\u00e9": 3, "é": 4, "plain": 5}"#)
        #expect(object["ab"]?.int == 1)
        #expect(object["c\"d"]?.int == 2)
        #expect(object["é"]?.int == 4)  // the escaped and raw spellings are the same key: last wins
        #expect(object["plain"]?.int == 5)
        #expect(object["a"] == nil)
        #expect(object.count == 5)
        #expect(object.json.object?.count == 4)
    }

    @Test func lastDuplicateKeyWins() throws {
        let object = try value(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(object["a"]?.int == 3)
        #expect(object.members.map(\.key) == ["a", "b", "a"])
        #expect(object.json == ["a": 3, "b": 2])
        #expect(object.json.serializedString == #"{"a":3,"b":2}"#)
        #expect(object.description == #"{"a":3,"b":2}"#)
        // Large objects find repeats another way, with the same result.
        let keys = (0..<40).map { "k\($0)" }
        let text = "{" + (keys + ["k3", "k39"]).enumerated().map { "\"\($1)\": \($0)" }.joined(separator: ",") + "}"
        let large = try value(text).json.object ?? [:]
        #expect(large.keys == keys)
        #expect(large["k3"] == 40 && large["k39"] == 41 && large["k0"] == 0)
    }

    @Test func readsNumbers() throws {
        let numbers = try value(
            "[0, -0, 42, -7, 1.5, -2.5e-3, 1E2, 9223372036854775807, -9223372036854775808, 9223372036854775808, 1e400, -1e400, 1e-400, 123456789012345678901234567890]"
        )
        let elements = Array(numbers.elements)
        #expect(elements.map(\.int) == [0, 0, 42, -7, nil, nil, nil, .max, .min, nil, nil, nil, nil, nil])
        #expect(elements[1].number == 0 && elements[1].number?.sign == .minus)
        #expect(elements[4].number == 1.5)
        #expect(elements[5].number == -0.0025)
        #expect(elements[6].number == 100)
        #expect(elements[7].number == Double(Int.max))
        #expect(elements[9].number == 9_223_372_036_854_775_808)
        #expect(elements[10].number == .infinity)
        #expect(elements[11].number == -.infinity)
        #expect(elements[12].number == 0)
        #expect(elements[13].number == 1.2345678901234568e29)
        #expect(elements[6].numberLiteral == "1E2")
        #expect(elements[1].json == .int(0))
        #expect(elements[4].json == .double(1.5))
        #expect(elements[9].json == .double(9_223_372_036_854_775_808))
        #expect(elements[10].json.serializedString == "null")  // non-finite doubles are written as null
    }

    @Test func wrongKindAccessorsGiveNil() throws {
        let text = try value(#""1""#)
        #expect(text.number == nil && text.int == nil && text.numberLiteral == nil && text.bool == nil)
        #expect(text.count == 0 && text[0] == nil && text["a"] == nil)
        #expect(Array(text.elements).isEmpty && Array(text.members).isEmpty)
        let number = try value("1")
        #expect(number.string == nil && !number.stringEquals("1") && !number.isNull)
        #expect(try value("[1]")["0"] == nil)
        #expect(try value(#"{"0":1}"#)[0] == nil)
    }

    @Test func iteratesElementsAndMembersSkippingSubtrees() throws {
        let array = try value(#"[[1, [2, {"x": [3]}]], {"k": {}}, "s", null, [], true]"#)
        #expect(array.count == 6)
        #expect(array.elements.map(\.kind) == [.array, .object, .string, .null, .array, .bool])
        #expect(array[1]?["k"]?.count == 0)
        #expect(array[5]?.bool == true)
        #expect(array[0]?[1]?[1]?["x"]?[0]?.int == 3)
        let object = try value(#"{"a": {"b": [1, 2, {"c": null}]}, "d": [], "e": {}}"#)
        #expect(object.members.map(\.key) == ["a", "d", "e"])
        #expect(object.members.map(\.value.kind) == [.object, .array, .object])
    }

    @Test func writesCanonicalCompactText() throws {
        let source = #" { "a" : [ 1 , -0 , 2.50 , 1E2 , "x\/y" , "\u00e9" , true , null ] , "b" : { } } "#
        let root = try value(source)
        var writer = JSONWriter()
        root.write(to: &writer)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":[1,0,2.5,100.0,"x/y","é",true,null],"b":{}}"#)
        #expect(writer.bytes == root.json.serialized())
    }

    @Test func writesValuesInsideAStreamedContainer() throws {
        let root = try value(#"{"user": {"email": "a@b.c"}, "tags": ["x", "y"]}"#)
        var writer = JSONWriter()
        writer.beginArray()
        root["user"]?.write(to: &writer)
        root["tags"]?[1]?.write(to: &writer)
        writer.beginObject()
        writer.key("k")
        root["tags"]?.write(to: &writer)
        writer.endObject()
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"[{"email":"a@b.c"},"y",{"k":["x","y"]}]"#)
    }
}
