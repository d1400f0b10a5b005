import HeraldCore
import Testing

@Suite struct ConstantTimeTests {
    @Test func equalValuesMatch() {
        #expect(ConstantTime.isEqual(Array("s3cret-key".utf8), to: Array("s3cret-key".utf8)))
    }

    @Test(arguments: ["", "s3cret-ke", "s3cret-key!", "S3cret-key", "s3cret-kez", "x"])
    func anyOtherValueIsRefused(presented: String) {
        #expect(!ConstantTime.isEqual(Array(presented.utf8), to: Array("s3cret-key".utf8)))
    }

    /// An empty configured secret would otherwise match an empty presented one.
    @Test func anEmptyExpectedValueMatchesNothing() {
        #expect(!ConstantTime.isEqual([], to: []))
        #expect(!ConstantTime.isEqual([1], to: []))
    }
}
