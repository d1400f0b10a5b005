/// The fixed 16-byte start of every segment file: `HERALDSP`, format version (u32 LE), segment
/// number (u32 LE).
enum SegmentHeader {
    static let size = 16
    static let magic = Array("HERALDSP".utf8)
    static let version: UInt32 = 1

    static func bytes(number: UInt32) -> [UInt8] {
        var bytes = magic
        withUnsafeBytes(of: version.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: number.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Nil when the header is valid, else why not.
    static func problem(in bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= size else { return "file is shorter than the segment header (\(bytes.count) bytes)" }
        guard bytes.prefix(8).elementsEqual(magic) else { return "not a spool segment (bad magic)" }
        let version = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == SegmentHeader.version else { return "unknown segment format version \(version)" }
        return nil
    }
}

/// Walks the frames of one segment held in memory, verifying each length and checksum.
///
/// Damage is classified by what follows it: when no valid frame follows a bad one, the bytes from
/// there to the end are a torn tail (a write that was never synced, so never acknowledged); when
/// a valid frame follows, the bytes in between are corruption in the middle, skipped and reported.
struct SegmentScanner {
    /// What went wrong at a place in the segment.
    enum Damage: Equatable {
        /// Unreadable bytes from `offset` up to `resumedAt`, where valid frames continue.
        case corrupt(offset: Int, resumedAt: Int, reason: String)
        /// Unreadable bytes from `offset` to the end of the file.
        case tornTail(offset: Int, reason: String)
        /// Unreadable bytes from `offset` to the end; the search for a following valid frame gave
        /// up (too much garbage to check), so they are skipped but not treated as a torn tail.
        case unresolved(offset: Int, reason: String)
    }

    let bytes: UnsafeRawBufferPointer
    let maxRecordBytes: Int
    /// Most bytes checksummed while looking for the next valid frame after damage.
    var resyncBudget = 256 << 20
    /// Where the segment's records end: the end of the bytes, or where only zeros follow (space
    /// the writer zeroed ahead of its appends, `SpoolOptions.preallocation`), which is not damage.
    private(set) var end: Int

    init(bytes: UnsafeRawBufferPointer, maxRecordBytes: Int) {
        self.bytes = bytes
        self.maxRecordBytes = maxRecordBytes
        end = bytes.count
    }

    /// Calls `record(offset, frameLength, type, payload)` for every valid frame after the header,
    /// in order, and returns the damage found (empty for a clean segment).
    mutating func scan(
        _ record: (_ offset: Int, _ frameLength: Int, _ type: UInt8, _ payload: UnsafeRawBufferPointer) -> Void
    ) -> [Damage] {
        var damage: [Damage] = []
        var offset = SegmentHeader.size
        while offset < bytes.count {
            switch frame(at: offset) {
            case .success(let length):
                record(offset, length, bytes[offset + 8], payload(at: offset, length: length))
                offset += length
            case .failure(let problem):
                if onlyZeros(from: offset) {
                    end = offset
                    return damage
                }
                guard let next = nextFrame(after: offset) else {
                    damage.append(
                        resyncBudget <= 0
                            ? .unresolved(offset: offset, reason: problem.reason)
                            : .tornTail(offset: offset, reason: problem.reason))
                    return damage
                }
                damage.append(.corrupt(offset: offset, resumedAt: next, reason: problem.reason))
                offset = next
            }
        }
        return damage
    }

    /// Whether every byte from `offset` to the end is zero (eight at a time).
    private func onlyZeros(from offset: Int) -> Bool {
        var position = offset
        while position < bytes.count && position & 7 != 0 {
            if bytes[position] != 0 { return false }
            position += 1
        }
        while bytes.count - position >= 8 {
            if bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self) != 0 { return false }
            position += 8
        }
        while position < bytes.count {
            if bytes[position] != 0 { return false }
            position += 1
        }
        return true
    }

    private func payload(at offset: Int, length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[offset + RecordEncoder.headerSize..<offset + length])
    }

    struct Problem: Error { let reason: String }

    /// The length of the valid frame at `offset`, or why it is not one.
    func frame(at offset: Int) -> Result<Int, Problem> {
        let remaining = bytes.count - offset
        guard remaining >= RecordEncoder.headerSize else {
            return .failure(Problem(reason: "incomplete record header (\(remaining) bytes)"))
        }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        guard length <= maxRecordBytes else { return .failure(Problem(reason: "record length \(length) is too large")) }
        guard length <= remaining - RecordEncoder.headerSize else {
            return .failure(Problem(reason: "record of \(length) bytes extends past the end of the file"))
        }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset + 8..<offset + 9 + length]))
        guard stored == computed else { return .failure(Problem(reason: "checksum mismatch")) }
        return .success(RecordEncoder.headerSize + length)
    }

    /// The offset of the next valid frame after the bad one at `offset`, nil when there is none
    /// (or when the budget ran out). Cheap tests first: a known type and the format version byte.
    private mutating func nextFrame(after offset: Int) -> Int? {
        var candidate = offset + 1
        let last = bytes.count - RecordEncoder.headerSize - 1
        while candidate <= last {
            defer { candidate += 1 }
            guard RecordType(rawValue: bytes[candidate + 8]) != nil,
                bytes[candidate + 9] == RecordEncoder.formatVersion
            else { continue }
            let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: candidate, as: UInt32.self)))
            guard length >= 1, length <= maxRecordBytes, length <= bytes.count - candidate - RecordEncoder.headerSize
            else { continue }
            resyncBudget -= length
            if resyncBudget <= 0 { return nil }
            if case .success = frame(at: candidate) { return candidate }
        }
        return nil
    }
}
