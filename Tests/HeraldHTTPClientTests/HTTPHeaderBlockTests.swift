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
