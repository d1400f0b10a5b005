/// Size limits applied while parsing a request; every one is checked before the bytes it limits
/// are buffered, so memory per connection stays bounded.
package struct HTTPLimits: Sendable, Hashable {
    /// The longest request line accepted, terminator included (414 beyond).
    package var maxRequestLineLength: Int
    /// The largest header block: field lines and the empty line that ends the block, terminators
    /// included (431 beyond). Chunked trailers get the same budget again.
    package var maxHeaderBlockSize: Int
    /// The most header fields accepted (431 beyond). Trailers get the same budget again.
    package var maxHeaderCount: Int
    /// The largest body accepted, after chunked decoding (413 beyond).
    package var maxBodySize: Int
    /// The longest chunk-size line (size and extensions) accepted in a chunked body (400 beyond).
    package var maxChunkLineLength: Int
    /// Larger bodies for these exact paths (the query aside), such as a webhook that posts
    /// batches: path → largest body.
    package var maxBodySizeByPath: [String: Int] = [:]

    /// The largest body accepted for a request to `target`.
    func maxBodySize(for target: String) -> Int {
        guard !maxBodySizeByPath.isEmpty else { return maxBodySize }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return maxBodySizeByPath[String(path)] ?? maxBodySize
    }

    /// Limits with the defaults: request line 8 KiB, header block 32 KiB and 100 fields, body 1 MiB,
    /// chunk-size line 4 KiB.
    package init(
        maxRequestLineLength: Int = 8 * 1024,
        maxHeaderBlockSize: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxBodySize: Int = 1024 * 1024,
        maxChunkLineLength: Int = 4 * 1024
    ) {
        self.maxRequestLineLength = maxRequestLineLength
        self.maxHeaderBlockSize = maxHeaderBlockSize
        self.maxHeaderCount = maxHeaderCount
        self.maxBodySize = maxBodySize
        self.maxChunkLineLength = maxChunkLineLength
    }
}
