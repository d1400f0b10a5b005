import Foundation
import HeraldCore
import Testing

/// JSONTestSuite (Nicolas Seriot): y_ must parse, n_ must be rejected, i_ must not crash.
@Suite struct JSONConformanceTests {
    /// The implementation-defined cases this parser accepts; every other i_ file is rejected (UTF-16,
    /// invalid or overlong UTF-8, surrogates encoded in UTF-8, a byte order mark, 500 nested arrays).
    /// Numbers out of range parse (to ±infinity, 0 or an inexact Double); escaped lone surrogates
    /// decode to U+FFFD.
    static let acceptedImplementationDefined: Set<String> = [
        "i_number_double_huge_neg_exp.json",
        "i_number_huge_exp.json",
        "i_number_neg_int_huge_exp.json",
        "i_number_pos_double_huge_exp.json",
        "i_number_real_neg_overflow.json",
        "i_number_real_pos_overflow.json",
        "i_number_real_underflow.json",
        "i_number_too_big_neg_int.json",
        "i_number_too_big_pos_int.json",
        "i_number_very_big_negative_int.json",
        "i_object_key_lone_2nd_surrogate.json",
        "i_string_1st_surrogate_but_2nd_missing.json",
        "i_string_1st_valid_surrogate_2nd_invalid.json",
        "i_string_incomplete_surrogate_and_escape_valid.json",
        "i_string_incomplete_surrogate_pair.json",
        "i_string_incomplete_surrogates_escape_valid.json",
        "i_string_invalid_lonely_surrogate.json",
        "i_string_invalid_surrogate.json",
        "i_string_inverted_surrogates_U+1D11E.json",
        "i_string_lone_second_surrogate.json",
    ]

    @Test func suiteIsPresent() {
        #expect(JSONFixtures.suiteFiles("y_").count > 90)
        #expect(JSONFixtures.suiteFiles("n_").count > 180)
        #expect(JSONFixtures.suiteFiles("i_").count > 30)
    }

    @Test(arguments: JSONFixtures.suiteFiles("y_"))
    func accepts(name: String) throws {
        let bytes = try JSONFixtures.suiteBytes(name)
        let document = try JSONDocument(parsing: bytes)
        let tree = document.root.json

        // Materialize, serialize, reparse: the same tree, and the cursor writes what the tree writes.
        let serialized = tree.serialized()
        #expect(try JSONDocument(parsing: serialized).root.json == tree)
        var writer = JSONWriter()
        document.root.write(to: &writer)
        #expect(writer.bytes == serialized)

        if let theirs = foundationParse(bytes) {
            #expect(sameValue(tree, theirs), "\(name): \(tree.serializedString)")
        }
    }

    @Test(arguments: JSONFixtures.suiteFiles("n_"))
    func rejects(name: String) throws {
        let bytes = try JSONFixtures.suiteBytes(name)
        #expect(throws: JSONParseError.self) { try JSONDocument(parsing: bytes) }
    }

    @Test func implementationDefinedCasesDoNotCrash() throws {
        var accepted: Set<String> = []
        for name in JSONFixtures.suiteFiles("i_") {
            let bytes = try JSONFixtures.suiteBytes(name)
            guard let document = try? JSONDocument(parsing: bytes) else { continue }
            accepted.insert(name)
            // Reading every value must not crash either.
            _ = document.root.json.serialized()
            _ = document.root.description
        }
        #expect(accepted == Self.acceptedImplementationDefined)
    }
}
