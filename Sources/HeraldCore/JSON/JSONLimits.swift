/// Bounds that a `JSONDocument` enforces while parsing, so that hostile input costs bounded time,
/// memory and stack.
package struct JSONLimits: Sendable {
    /// The deepest nesting of arrays and objects accepted; `[[1]]` has depth 2, a scalar 0.
    ///
    /// Materializing (`JSONValue.json`) and re-serializing (`JSONValue.write(to:)`) recurse once per
    /// level, so keep this modest (the default 128 needs a few KiB of stack).
    package var maxDepth: Int
    /// The largest input accepted, in bytes. Inputs of 4 GiB or more are always rejected.
    package var maxBytes: Int

    /// Creates limits; the defaults suit web hook bodies.
    package init(maxDepth: Int = 128, maxBytes: Int = 16 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }

    /// Depth 128, 16 MiB.
    package static let `default` = JSONLimits()
}
