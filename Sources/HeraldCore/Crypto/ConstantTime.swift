internal import CCrypto

/// Comparisons of secrets whose time does not tell an attacker how much of a guess was right.
package enum ConstantTime {
    /// Whether `presented` equals `expected`, in time that depends only on `expected`'s length (a
    /// presented value of another length is compared against `expected` itself, then refused).
    /// An empty `expected` matches nothing.
    package static func isEqual(_ presented: [UInt8], to expected: [UInt8]) -> Bool {
        guard !expected.isEmpty else { return false }
        let sameLength = presented.count == expected.count
        let compared = sameLength ? presented : expected
        let difference = compared.withUnsafeBytes { compared in
            expected.withUnsafeBytes { expected in
                CRYPTO_memcmp(compared.baseAddress, expected.baseAddress, expected.count)
            }
        }
        return sameLength && difference == 0
    }
}
