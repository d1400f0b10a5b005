extension BinaryInteger {
    /// The decimal digits, with leading zeros up to `width` (`String(format: "%02d")` without
    /// Foundation); a minus sign comes first.
    package func zeroPadded(_ width: Int) -> String {
        let digits = String(self.magnitude)
        let padding = String(repeating: "0", count: max(width - digits.count, 0))
        return (self < 0 ? "-" : "") + padding + digits
    }
}
