import HeraldTestSupport
import Testing

@testable import HeraldHTTPClient

/// Header lines kept as bytes: fields come out in order, trimmed, found ignoring case.
@Suite struct HTTPHeaderBlockTests {
    func block(_ lines: String...) -> HTTPHeaderBlock {
        var block = HTTPHeaderBlock()
        for line in lines { block.append(Array(line.utf8)) }
        return block
    }

    @Test func fieldsInOrderWithTheirValuesTrimmed() {
        let head = block("Retry-After:  3 \r\n", "X-Request-Id:\tr-1\r\n", "\r\n")
        #expect(head.count == 2)
        #expect(head.fields.map { "\($0.name)=\($0.value)" } == ["Retry-After=3", "X-Request-Id=r-1"])
    }

    @Test func theFirstFieldOfANameIsFoundIgnoringCase() {
        let head = block("Set-Cookie: a=1\r\n", "set-cookie: b=2\r\n", "Location: https://x.example/a:b\r\n")
        #expect(head.value("SET-COOKIE") == "a=1")
        #expect(head.value("location") == "https://x.example/a:b")
        #expect(head.value("Locatio") == nil)
        #expect(head.value("Retry-After") == nil)
        // Only a whole name before the colon counts.
        let near = block("X-Retry-After: 1\r\n", "Retry-After : 2\r\n", "Retry-After-X: 3\r\n", "Retry-After:4")
        #expect(near.value("Retry-After") == "4")
    }

    @Test func anEmptyValueAndStartingOver() {
        var head = block("X-Empty:\r\n")
        #expect(head.value("x-empty") == "")
        head.removeAll()
        #expect(head.fields.isEmpty)
        #expect(HTTPHeaderBlock([("A", "1"), ("B", "two words")]).value("b") == "two words")
    }
}

extension HTTPHeaderBlockTests {
    /// `value` scans the bytes in place (bc807e7); it must find what the first of `fields` with
    /// that name (ignoring ASCII case) holds, for any block: random lines of names, near names,
    /// colons, spaces, tabs, CR, and lines without an end.
    @Test func valueFindsWhatTheFieldsSay() {
        let names = [
            "Retry-After", "retry-after", "RETRY-AFTER", "Retry-After ", " Retry-After", "X-Retry-After",
            "Retry-After-X", "Location", "Loc", "", "Retry-Aftér",
        ]
        let values = ["", " ", "3", " 3 ", "\t3\t", "a:b", "  x y  ", "\r", "é"]
        let ends = ["\r\n", "\n", ""]
        var random = SeededGenerator(seed: 0x4845_4144)
        func next() -> UInt64 { random.next() }
        func pick(_ items: [String]) -> String { items[Int(next() % UInt64(items.count))] }
        for _ in 0..<5_000 {
            var head = HTTPHeaderBlock()
            for _ in 0..<Int(next() % 5) { head.append(Array((pick(names) + ":" + pick(values) + pick(ends)).utf8)) }
            for wanted in ["Retry-After", "location", "X-Retry-After"] {
                let expected = head.fields.first { $0.name.lowercased() == wanted.lowercased() }?.value
                #expect(head.value(wanted) == expected, "\(head.fields) \(wanted)")
            }
        }
    }
}
