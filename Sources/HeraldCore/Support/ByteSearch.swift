extension UnsafeBufferPointer<UInt8> {
    /// Whether `needle` occurs in these bytes; false for an empty needle. A plain scan: the
    /// needles searched for (secrets, a person's identifiers) are short.
    package func containsBytes(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first, count >= needle.count else { return false }
        for start in 0...(count - needle.count) where self[start] == first {
            var matched = 1
            while matched < needle.count, self[start + matched] == needle[matched] { matched += 1 }
            if matched == needle.count { return true }
        }
        return false
    }
}
