import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// Randomized robustness: mutated Kratos payloads must parse or throw (never crash), and whatever
/// parses must agree with Foundation and survive a round trip. Deterministic seed, so failures repeat.
@Suite struct JSONFuzzTests {
    /// Fragments that tend to turn valid JSON into almost-valid JSON.
    private static let fragments: [[UInt8]] =
        [
            ",", "]", "}", "[", "{", ":", "\"", "\\", "\\u", "\\uD83D", "\\uDE00", "\\n", "0", "-", "1e5", ".",
            "e", "E+", "null", "tru", " ", "\n", "\t", "é", "😀", "[[[[", "{\"k\":", "\"\":",
        ].map { Array($0.utf8) } + [[0x00], [0x1F], [0x7F], [0x80], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90], [0xFF]]

    @Test func mutatedPayloadsParseOrThrowAndAgreeWithFoundation() throws {
        let payloads = try JSONFixtures.payloadFiles().map(JSONFixtures.payloadBytes)
        try #require(!payloads.isEmpty)
        var random = SeededGenerator(seed: 0x4845_5241_4C44)
        var accepted = 0
        var rejected = 0
        var compared = 0
        for round in 0..<3000 {
            var bytes = payloads[round % payloads.count]
            for _ in 0..<Int.random(in: 1...3, using: &random) { Self.mutate(&bytes, using: &random) }
            let document: JSONDocument
            do {
                document = try JSONDocument(parsing: bytes, limits: JSONLimits(maxDepth: 16))
            } catch {
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error)")
                continue
            }
            accepted += 1
            let tree = document.root.json
            let serialized = tree.serialized()
            #expect(try JSONDocument(parsing: serialized).root.json == tree)
            var writer = JSONWriter()
            document.root.write(to: &writer)
            #expect(writer.bytes == serialized)
            if let theirs = foundationParse(bytes) {
                compared += 1
                #expect(sameValue(tree, theirs), "round \(round): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        // Otherwise the mutations would be too mild or too harsh to test anything.
        #expect(accepted > 300)
        #expect(rejected > 300)
        #expect(compared > 300)
    }

    @Test func randomBytesNeverCrash() {
        var random = SeededGenerator(seed: 7)
        let alphabet = Array(#"{}[]:,"\ue0123456789.-+tfnrl "#.utf8) + [0x0A, 0x80, 0xC3, 0xA9]
        for _ in 0..<3000 {
            let length = Int.random(in: 0...40, using: &random)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &random) ?? 0 }
            if let document = try? JSONDocument(parsing: bytes) {
                _ = document.root.json.serialized()
                _ = document.root.description
            }
        }
    }

    private static func mutate(_ bytes: inout [UInt8], using random: inout SeededGenerator) {
        guard !bytes.isEmpty else {
            bytes = fragments.randomElement(using: &random) ?? []
            return
        }
        let position = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 1:
            bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
        case 2:
            bytes.remove(at: position)
        case 3:
            bytes.insert(contentsOf: fragments.randomElement(using: &random) ?? [], at: position)
        case 4:
            let end = min(bytes.count, position + Int.random(in: 1...64, using: &random))
            bytes.removeSubrange(position..<end)
        default:
            let end = min(bytes.count, position + Int.random(in: 1...64, using: &random))
            let target = Int.random(in: 0...bytes.count, using: &random)
            bytes.insert(contentsOf: Array(bytes[position..<end]), at: target)
        }
    }
}
