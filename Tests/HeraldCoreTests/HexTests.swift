import HeraldCore
import Testing

@Suite struct HexTests {
    @Test func twoLowerCaseDigitsPerByte() {
        #expect(Hex.lowercase([]) == "")
        #expect(Hex.lowercase([0x00, 0x0f, 0xab, 0xff]) == "000fabff")
        #expect(Hex.lowercase(Array(0...255)).count == 512)
    }
}
