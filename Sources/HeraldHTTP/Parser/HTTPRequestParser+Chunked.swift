import HeraldCore

/// Chunked transfer coding (RFC 9112 §7.1): size lines, extensions ignored, trailers discarded.
extension HTTPRequestParser {
    mutating func chunkSizeLine(_ line: UnsafeRawBufferPointer, length: Int) -> Outcome {
        var size = 0
        var index = 0
        while index < line.count, let digit = Hex.value(line[index]) {
            // Saturate: a size this large is refused with 413 below.
            size = min(size * 16 + Int(digit), Int(Int32.max))
            index += 1
        }
        guard index > 0 else { return .emit(.error(.malformed("invalid chunk size"))) }
        while index < line.count, HTTPSyntax.isWhitespace(line[index]) { index += 1 }
        if index < line.count {
            guard line[index] == UInt8(ascii: ";") else {
                return .emit(.error(.malformed("invalid chunk size")))
            }
            let extensions = UnsafeRawBufferPointer(rebasing: line[index...])
            guard extensions.allSatisfy(HTTPSyntax.isFieldValueByte) else {
                return .emit(.error(.malformed("invalid chunk extension")))
            }
        }
        if size == 0 {
            state = .trailers
            return .proceed
        }
        if size > bodyLimit - body.count { return .emit(.error(.contentTooLarge)) }
        state = .chunkData(remaining: size)
        return .proceed
    }

    mutating func chunkDataEndLine(_ line: UnsafeRawBufferPointer, length: Int) -> Outcome {
        guard line.isEmpty else { return .emit(.error(.malformed("chunk data not followed by CRLF"))) }
        state = .chunkSize
        return .proceed
    }
}
