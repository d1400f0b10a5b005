import HeraldCore
import Testing

@Suite struct JSONWriterTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("", #""""#),
        ("quote \" backslash \\ slash /", #""quote \" backslash \\ slash /""#),
        ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
        ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{7F} é € 𝄞 \u{2028}", "\"\u{7F} é € 𝄞 \u{2028}\""),  // written as UTF-8
    ])
    func escapesStrings(text: String, expected: String) throws {
        var writer = JSONWriter()
        writer.writeString(text)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        #expect(try JSONDocument(parsing: writer.bytes).root.string == text)
    }

    @Test func escapesKeysLikeValues() throws {
        let value: JSON = ["a\"b\n": "c"]
        #expect(value.serializedString == #"{"a\"b\n":"c"}"#)
    }

    @Test(arguments: [
        (JSON.double(0.1), "0.1"),
        (.double(1e21), "1e+21"),
        (.double(-0.0), "-0.0"),
        (.double(.leastNonzeroMagnitude), "5e-324"),
        (.double(1.7976931348623157e308), "1.7976931348623157e+308"),
        (.double(100), "100.0"),
        (.double(.nan), "null"),
        (.double(.infinity), "null"),
        (.double(-.infinity), "null"),
        (.int(.min), "-9223372036854775808"),
        (.int(.max), "9223372036854775807"),
        (.int(0), "0"),
        (.int(-42), "-42"),
    ])
    func writesNumbers(value: JSON, expected: String) throws {
        #expect(value.serializedString == expected)
        if case .double(let double) = value, double.isFinite {
            #expect(try JSONDocument(parsing: expected).root.number == double)
        }
    }

    @Test func writesTreesCompactly() {
        let value: JSON = ["a": [1, 2.5, "x", nil, true, false], "b": [:], "c": []]
        #expect(value.serializedString == #"{"a":[1,2.5,"x",null,true,false],"b":{},"c":[]}"#)
    }

    @Test func streamsContainersWithCommas() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("event")
        writer.writeString("registration.after")
        writer.key("jobs")
        writer.write(2)
        writer.key("routes")
        writer.beginArray()
        writer.writeString("welcome")
        writer.write(["n": 1] as JSON)
        writer.beginArray()
        writer.endArray()
        writer.writeNull()
        writer.endArray()
        writer.key("ok")
        writer.write(true)
        writer.endObject()
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == #"{"event":"registration.after","jobs":2,"routes":["welcome",{"n":1},[],null],"ok":true}"#)
    }

    @Test func writesRawBytesVerbatim() {
        var writer = JSONWriter(reservingCapacity: 16)
        writer.writeRaw(Array("[1,".utf8))
        writer.writeRaw("2]".utf8)
        #expect(writer.bytes == Array("[1,2]".utf8))
    }

    @Test func prettyPrintsWithTwoSpaces() {
        let value: JSON = ["a": [1, ["b": nil]], "e": [], "o": [:], "s": "x"]
        let expected = """
            {
              "a": [
                1,
                {
                  "b": null
                }
              ],
              "e": [],
              "o": {},
              "s": "x"
            }
            """
        #expect(value.prettyPrinted() == expected)
        #expect(JSON.int(3).prettyPrinted() == "3")
    }
}
