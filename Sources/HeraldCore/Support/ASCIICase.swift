extension UInt8 {
    /// The byte with an ASCII capital letter made small (`A`–`Z` → `a`–`z`); any other byte,
    /// UTF-8's included, as it is. For comparing header names, addresses and identifiers
    /// without lowercased copies of the text.
    @inlinable package var asciiLowercased: UInt8 {
        self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self | 0x20 : self
    }
}
