/// Why a byte sequence is not a JSON text accepted by `JSONDocument`, and where that was found.
package struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset (0-based) where the problem was found.
    package var offset: Int
    /// What is wrong, e.g. `unexpected character 'x'`, `nesting deeper than 128`, `invalid UTF-8`,
    /// `unterminated string`, `trailing characters after the value`.
    package var reason: String

    /// Creates an error at `offset`.
    package init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// `at byte 17: unexpected character 'x'`.
    package var description: String { "at byte \(offset): \(reason)" }
}
