import HeraldCore

/// Writes one framed record: `length (u32 LE) | CRC-32C (u32 LE) | type (u8) | payload`, where
/// `length` counts the payload and the checksum covers the type byte and the payload. Every
/// payload starts with the format version (1); integers are little-endian, strings are a u32
/// byte count and UTF-8.
struct RecordEncoder {
    static let headerSize = 9
    static let formatVersion: UInt8 = 1

    private(set) var bytes: [UInt8]

    init(_ type: RecordType, capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(RecordEncoder.headerSize + capacity)
        bytes.append(contentsOf: repeatElement(0, count: 8))
        bytes.append(type.rawValue)
        bytes.append(RecordEncoder.formatVersion)
    }

    mutating func append(_ value: UInt8) { bytes.append(value) }

    mutating func append(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ value: Int64) { append(UInt64(bitPattern: value)) }

    mutating func append(_ id: TimeOrderedID) {
        append(id.high)
        append(id.low)
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            append(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func append(blob: [UInt8]) {
        append(UInt32(blob.count))
        bytes.append(contentsOf: blob)
    }

    mutating func append(optional text: String?) {
        append(UInt8(text == nil ? 0 : 1))
        if let text { append(text) }
    }

    /// The finished frame: fills in the length and the checksum.
    consuming func finish() -> [UInt8] {
        RecordEncoder.seal(&bytes)
        return bytes
    }

    /// Writes the length and checksum of a frame whose type and payload are in place.
    static func seal(_ frame: inout [UInt8]) {
        let length = UInt32(frame.count - headerSize)
        let crc = frame.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        frame.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: length.littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        }
    }
}

/// Why a payload could not be decoded.
struct RecordDecodingError: Error {
    let reason: String
}

/// Reads a record payload written by `RecordEncoder`; every read is bounds-checked, so garbage
/// that passed the checksum still cannot crash it.
struct RecordDecoder {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) {
        self.bytes = bytes
        let version = try u8()
        guard version == RecordEncoder.formatVersion else {
            throw RecordDecodingError(reason: "unknown record format version \(version)")
        }
    }

    var isAtEnd: Bool { position == bytes.count }

    private mutating func take(_ count: Int) throws(RecordDecodingError) -> Int {
        guard count >= 0, bytes.count - position >= count else {
            throw RecordDecodingError(reason: "record ends early (needs \(count) bytes at \(position))")
        }
        defer { position += count }
        return position
    }

    mutating func u8() throws(RecordDecodingError) -> UInt8 {
        bytes[try take(1)]
    }

    mutating func u32() throws(RecordDecodingError) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self))
    }

    mutating func u64() throws(RecordDecodingError) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self))
    }

    mutating func i64() throws(RecordDecodingError) -> Int64 { Int64(bitPattern: try u64()) }

    mutating func id() throws(RecordDecodingError) -> TimeOrderedID {
        TimeOrderedID(high: try u64(), low: try u64())
    }

    /// The bytes of a length-prefixed field, without copying.
    mutating func field() throws(RecordDecodingError) -> UnsafeRawBufferPointer {
        let count = Int(try u32())
        let start = try take(count)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<start + count])
    }

    mutating func string() throws(RecordDecodingError) -> String {
        String(decoding: try field(), as: UTF8.self)
    }

    mutating func optionalString() throws(RecordDecodingError) -> String? {
        try u8() == 0 ? nil : try string()
    }
}
