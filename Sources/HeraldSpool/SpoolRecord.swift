import HeraldCore

/// The kinds of record in a segment (the frame's type byte).
enum RecordType: UInt8, CaseIterable {
    /// A whole job: ids, event, route, action, ordering key, times, attempts and payload JSON.
    case jobAdded = 1
    /// An attempt ended without delivering: attempts so far, next time, outcome and reason.
    case attemptFinished = 2
    /// The job was delivered.
    case jobDone = 3
    /// The job moved to the dead letters, with reason, attempts and last answer.
    case jobDead = 4
    /// An operator asked to run the job now; a dead letter goes back to the queue with 0 attempts.
    case jobRetried = 5
    /// An operator dropped the job or dead letter.
    case jobDropped = 6
    /// A dedupe key and when it expires.
    case dedupeKey = 7
    /// When the job's current attempt series began (a dead letter an operator put back); written
    /// by compaction after the copy of such a job, whose "job retried" record may be gone.
    case seriesStarted = 8
    /// The job's last attempt may have reached the peer; written by compaction after the copy of
    /// such a job, whose "attempt finished" record may be gone.
    case mayHaveSent = 9
}

/// What the index needs from a "job added" record (the payload stays on disk).
struct JobHeader: Sendable {
    var id: TimeOrderedID
    var attempts: UInt32
    var notBefore: Int64
    var createdAt: Int64
    var action: String
    /// 0 when the job has no ordering key.
    var orderingGroup: UInt64
}

/// A decoded record: its effect on the index.
enum SpoolRecord: Sendable {
    case jobAdded(JobHeader)
    /// `mayHaveSent`: the attempt ended ambiguously (its outcome label is `retry_ambiguous`).
    case attemptFinished(id: TimeOrderedID, attempts: UInt32, notBefore: Int64, mayHaveSent: Bool)
    case jobDone(TimeOrderedID)
    case jobDead(id: TimeOrderedID, attempts: UInt32, diedAt: Int64)
    case jobRetried(id: TimeOrderedID, notBefore: Int64)
    case jobDropped(TimeOrderedID)
    case dedupeKey(digest: UInt128, expiresAt: Int64)
    case seriesStarted(id: TimeOrderedID, at: Int64)
    case mayHaveSent(TimeOrderedID)
}

/// A record ready to append: its effect and its framed bytes.
struct EncodedRecord: Sendable {
    let record: SpoolRecord
    let frame: [UInt8]
}

/// Why a job died, as stored in its "job dead" record.
struct Death: Sendable {
    var attempts: Int
    var diedAt: WallClock
    var reason: String
    var lastAnswer: String?
}

extension EncodedRecord {
    /// Longest reason or answer kept in a record, in UTF-8 bytes.
    static let textLimit = 2048

    /// Byte offsets inside a "job added" frame of the fields compaction rewrites in place.
    static let attemptsOffset = RecordEncoder.headerSize + 1 + 16
    static let notBeforeOffset = attemptsOffset + 4

    static func jobAdded(_ job: Job) -> EncodedRecord {
        let payload = job.payload.serialized()
        var encoder = RecordEncoder(.jobAdded, capacity: 128 + payload.count)
        encoder.append(job.id)
        encoder.append(UInt32(clamping: job.attempts))
        encoder.append(job.notBefore.millisecondsSinceEpoch)
        encoder.append(job.eventID)
        encoder.append(job.createdAt.millisecondsSinceEpoch)
        encoder.append(job.eventName.rawValue)
        encoder.append(job.route)
        encoder.append(job.action)
        encoder.append(optional: job.orderingKey)
        encoder.append(blob: payload)
        // After the payload, what earlier versions did not write: the due time (written by them
        // only for a delayed job), then the trace behind a tag byte. Records without them read as
        // before; a job with a trace always has its due time written first.
        if job.dueAt != job.createdAt || job.trace != nil { encoder.append(job.dueAt.millisecondsSinceEpoch) }
        if let trace = job.trace { encoder.append(trace: trace) }
        let header = JobHeader(
            id: job.id, attempts: UInt32(clamping: job.attempts), notBefore: job.notBefore.millisecondsSinceEpoch,
            createdAt: job.createdAt.millisecondsSinceEpoch, action: job.action,
            orderingGroup: job.orderingKey.map { Digest.orderingGroup(action: job.action, key: $0) } ?? 0)
        return EncodedRecord(record: .jobAdded(header), frame: encoder.finish())
    }

    /// The record keeps the outcome's label (`retry`, or `retry_ambiguous` when the attempt may
    /// have sent), as spools written before this format was typed have it.
    static func attemptFinished(
        _ id: TimeOrderedID, attempts: Int, notBefore: WallClock, mayHaveSent: Bool, reason: String
    ) -> EncodedRecord {
        var encoder = RecordEncoder(.attemptFinished)
        encoder.append(id)
        encoder.append(UInt32(clamping: attempts))
        encoder.append(notBefore.millisecondsSinceEpoch)
        encoder.append(mayHaveSent ? Outcome.ambiguousRetryLabel : "retry")
        encoder.append(truncated(reason))
        return EncodedRecord(
            record: .attemptFinished(
                id: id, attempts: UInt32(clamping: attempts), notBefore: notBefore.millisecondsSinceEpoch,
                mayHaveSent: mayHaveSent),
            frame: encoder.finish())
    }

    static func jobDone(_ id: TimeOrderedID) -> EncodedRecord {
        var encoder = RecordEncoder(.jobDone)
        encoder.append(id)
        return EncodedRecord(record: .jobDone(id), frame: encoder.finish())
    }

    static func jobDead(_ id: TimeOrderedID, death: Death) -> EncodedRecord {
        var encoder = RecordEncoder(.jobDead)
        encoder.append(id)
        encoder.append(UInt32(clamping: death.attempts))
        encoder.append(death.diedAt.millisecondsSinceEpoch)
        encoder.append(truncated(death.reason))
        encoder.append(optional: death.lastAnswer.map(truncated))
        return EncodedRecord(
            record: .jobDead(
                id: id, attempts: UInt32(clamping: death.attempts), diedAt: death.diedAt.millisecondsSinceEpoch),
            frame: encoder.finish())
    }

    static func jobRetried(_ id: TimeOrderedID, notBefore: WallClock) -> EncodedRecord {
        var encoder = RecordEncoder(.jobRetried)
        encoder.append(id)
        encoder.append(notBefore.millisecondsSinceEpoch)
        return EncodedRecord(
            record: .jobRetried(id: id, notBefore: notBefore.millisecondsSinceEpoch), frame: encoder.finish())
    }

    static func jobDropped(_ id: TimeOrderedID) -> EncodedRecord {
        var encoder = RecordEncoder(.jobDropped)
        encoder.append(id)
        return EncodedRecord(record: .jobDropped(id), frame: encoder.finish())
    }

    static func dedupeKey(digest: UInt128, expiresAt: Int64) -> EncodedRecord {
        var encoder = RecordEncoder(.dedupeKey)
        encoder.append(UInt64(truncatingIfNeeded: digest >> 64))
        encoder.append(UInt64(truncatingIfNeeded: digest))
        encoder.append(expiresAt)
        return EncodedRecord(record: .dedupeKey(digest: digest, expiresAt: expiresAt), frame: encoder.finish())
    }

    static func mayHaveSent(_ id: TimeOrderedID) -> EncodedRecord {
        var encoder = RecordEncoder(.mayHaveSent)
        encoder.append(id)
        return EncodedRecord(record: .mayHaveSent(id), frame: encoder.finish())
    }

    static func seriesStarted(_ id: TimeOrderedID, at time: Int64) -> EncodedRecord {
        var encoder = RecordEncoder(.seriesStarted)
        encoder.append(id)
        encoder.append(time)
        return EncodedRecord(record: .seriesStarted(id: id, at: time), frame: encoder.finish())
    }

    /// A copy of a "job added" frame with new attempts and next time (compaction carries the
    /// latest state forward in the job's own record).
    static func patchedJobAdded(_ frame: [UInt8], header: JobHeader) -> EncodedRecord {
        var frame = frame
        frame.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: header.attempts.littleEndian, toByteOffset: attemptsOffset, as: UInt32.self)
            raw.storeBytes(
                of: UInt64(bitPattern: header.notBefore).littleEndian, toByteOffset: notBeforeOffset, as: UInt64.self)
        }
        RecordEncoder.seal(&frame)
        return EncodedRecord(record: .jobAdded(header), frame: frame)
    }

    /// `text` cut to `textLimit` UTF-8 bytes at a character boundary.
    static func truncated(_ text: String) -> String {
        guard text.utf8.count > textLimit else { return text }
        var end = text.utf8.index(text.utf8.startIndex, offsetBy: textLimit)
        while end > text.startIndex && !text.unicodeScalars.indices.contains(end) {
            end = text.utf8.index(before: end)
        }
        return String(text[..<end])
    }
}

extension RecordEncoder {
    /// The tag of a trace after a "job added" record's due time.
    static let traceTag: UInt8 = 1

    /// A trace: its tag, the trace id (16 bytes), the span id, the flags and the `tracestate`.
    mutating func append(trace: TraceContext) {
        append(Self.traceTag)
        append(trace.traceID.high)
        append(trace.traceID.low)
        append(trace.spanID.value)
        append(trace.flags)
        append(optional: trace.state)
    }
}

/// FNV-1a digests: 64 bits for ordering groups, 128 bits for dedupe keys.
enum Digest {
    /// The ordering group of a job: jobs with the same action and ordering key share it.
    /// Never 0 (0 means "no ordering key").
    static func orderingGroup(action: String, key: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in action.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        hash = (hash ^ 0) &* 0x100_0000_01B3
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash == 0 ? 1 : hash
    }

    static func orderingGroup(action: String, key: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in action.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        hash = (hash ^ 0) &* 0x100_0000_01B3
        for byte in key { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash == 0 ? 1 : hash
    }

    /// The 128-bit FNV-1a digest of a dedupe key (collisions are out of reach in practice, so
    /// that keys are kept in 16 bytes, not as strings).
    static func dedupe(_ key: String) -> UInt128 {
        let prime: UInt128 = (1 << 88) | 0x13B
        var hash: UInt128 = 0x6C62_272E_07BB_0142_62B8_2175_6295_C58D
        for byte in key.utf8 { hash = (hash ^ UInt128(byte)) &* prime }
        return hash
    }
}
