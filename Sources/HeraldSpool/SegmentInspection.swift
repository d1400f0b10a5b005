/// What recovery makes of one segment's bytes, frame by frame, without a spool around it: for the
/// fuzz target (Fuzz/spool), which checks that the frames and the damage tile the file and that no
/// payload crashes the decoders.
package struct SegmentInspection: Sendable {
    /// A frame whose length and checksum are valid.
    package struct Frame: Sendable, Equatable {
        package var offset: Int
        package var length: Int
        package var type: UInt8
        /// Whether `SpoolRecord.decode` (and the job or death decoder for those types) read it.
        package var decoded: Bool
    }

    /// Unreadable bytes: `offset..<end`; `end` is the file's end unless valid frames resumed.
    package struct Damage: Sendable, Equatable {
        package var offset: Int
        package var end: Int
        package var tornTail: Bool
    }

    /// Why the header is not a segment header; nil when it is (then frames were scanned).
    package var headerProblem: String?
    package var frames: [Frame] = []
    package var damage: [Damage] = []
    /// Where zeros alone run to the end of the file (space the writer zeroed ahead of its appends,
    /// not damage); nil when the frames or the damage reach the end.
    package var zerosFrom: Int?

    /// The size of a segment header, which comes before the first frame.
    package static let headerSize = SegmentHeader.size
    /// The size of a frame header: length, checksum and type.
    package static let frameHeaderSize = RecordEncoder.headerSize

    /// Scans `bytes` as recovery does and decodes every valid frame.
    package init(segment bytes: [UInt8]) {
        var frames: [Frame] = []
        var zerosFrom: Int?
        (headerProblem, damage) = bytes.withUnsafeBytes { raw in
            if let problem = SegmentHeader.problem(in: raw) { return (problem, []) }
            var scanner = SegmentScanner(bytes: raw, maxRecordBytes: SpoolOptions.recordLimit)
            let found = scanner.scan { offset, length, type, payload in
                var decoded = true
                do throws(RecordDecodingError) {
                    _ = try SpoolRecord.decode(type: type, payload: payload)
                    if type == RecordType.jobAdded.rawValue { _ = try SpoolRecord.decodeJob(payload: payload) }
                    if type == RecordType.jobDead.rawValue { _ = try SpoolRecord.decodeDeath(payload: payload) }
                } catch {
                    decoded = false
                }
                frames.append(Frame(offset: offset, length: length, type: type, decoded: decoded))
            }
            let damage = found.map { item -> Damage in
                switch item {
                case .corrupt(let offset, let resumedAt, _): Damage(offset: offset, end: resumedAt, tornTail: false)
                case .tornTail(let offset, _): Damage(offset: offset, end: raw.count, tornTail: true)
                case .unresolved(let offset, _): Damage(offset: offset, end: raw.count, tornTail: false)
                }
            }
            if scanner.end < raw.count { zerosFrom = scanner.end }
            return (nil, damage)
        }
        self.frames = frames
        self.zerosFrom = zerosFrom
    }

    /// A valid segment header for segment `number`.
    package static func header(number: UInt32) -> [UInt8] { SegmentHeader.bytes(number: number) }

    /// The file name of segment `number` in the spool directory.
    package static func fileName(number: UInt32) -> String { SegmentFile.name(of: number) }

    /// `bytes` with the checksum of every frame rewritten, following the frames' lengths from the
    /// end of the segment header (a length running past the end stops it), so that a fuzzer's
    /// payloads reach the decoders.
    package static func sealingFrames(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        var offset = SegmentHeader.size
        while bytes.count - offset >= RecordEncoder.headerSize {
            let length = Int(
                UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
                    | UInt32(bytes[offset + 3]) << 24)
            guard length <= bytes.count - offset - RecordEncoder.headerSize else { break }
            let end = offset + RecordEncoder.headerSize + length
            var frame = Array(bytes[offset..<end])
            RecordEncoder.seal(&frame)
            bytes.replaceSubrange(offset..<end, with: frame)
            offset = end
        }
        return bytes
    }
}
