import HeraldCore
import Testing

@Suite struct JSONTests {
    @Test func literalsBuildTheMatchingCases() {
        let value: JSON = ["n": nil, "b": true, "i": 3, "d": 1.5, "s": "x", "a": [1], "o": ["k": "v"]]
        #expect(value["n"] == .null)
        #expect(value["n"]?.isNull == true)
        #expect(value["b"] == .bool(true))
        #expect(value["i"] == .int(3))
        #expect(value["d"] == .double(1.5))
        #expect(value["s"] == .string("x"))
        #expect(value["a"] == .array([.int(1)]))
        #expect(value["o"]?["k"]?.string == "v")
    }

    @Test func parsesIntoATree() throws {
        #expect(try JSON(parsing: #"{"a": [1, 2.5, "x", null]}"#) == ["a": [1, 2.5, "x", nil]])
        #expect(try JSON(parsing: Array("true".utf8)) == true)
        #expect(throws: JSONParseError.self) { try JSON(parsing: "[1,]") }
    }

    @Test func accessorsReturnNilForOtherKinds() {
        let value: JSON = ["i": 3, "d": 2.5, "list": ["a", "b"]]
        #expect(value["i"]?.int == 3)
        #expect(value["i"]?.double == 3)
        #expect(value["d"]?.double == 2.5)
        #expect(value["d"]?.int == nil)
        #expect(value["i"]?.string == nil)
        #expect(value["list"]?[1]?.string == "b")
        #expect(value["list"]?[2] == nil)
        #expect(value["list"]?.array?.count == 2)
        #expect(value[0] == nil)
        #expect(value["list"]?["x"] == nil)
        #expect(value.object?.keys == ["i", "d", "list"])
        #expect(JSON.bool(false).bool == false)
    }

    @Test func objectKeepsOrderAndReplacesInPlace() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["c"] = 3
        object["b"] = 4
        #expect(object.keys == ["b", "a", "c"])
        #expect(object.values == [4, 2, 3])
        #expect(JSON.object(object).serializedString == #"{"b":4,"a":2,"c":3}"#)
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        object["n"] = .null
        #expect(object["n"] == .null)
        #expect(object.removeValue(forKey: "b") == 4)
        #expect(object.removeValue(forKey: "zz") == nil)
        #expect(object.count == 2 && !object.isEmpty)
        #expect(JSONObject().isEmpty)
        #expect(Array(object).map(\.key) == ["c", "n"])
    }

    @Test func repeatedLiteralKeysKeepTheLastValue() {
        let object: JSONObject = ["a": 1, "b": 2, "a": 3]
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
        #expect(JSONObject([(key: "x", value: 1), (key: "x", value: 2)])["x"] == 2)
    }

    @Test func objectEqualityIgnoresOrder() {
        let first: JSON = ["a": 1, "b": ["c": true, "d": nil]]
        let second: JSON = ["b": ["d": nil, "c": true], "a": 1]
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(Set([first, second]).count == 1)
        #expect(first != ["a": 1, "b": ["c": true]])
        #expect(first != ["a": 1, "b": ["c": true, "e": nil]])
        #expect(JSON.int(1) != .double(1))
    }
}
