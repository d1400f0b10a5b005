import HeraldCore

extension SpoolRecord {
    /// Decodes a payload's effect on the index (for "job added" only the header: the payload
    /// JSON is neither copied nor parsed).
    static func decode(type: UInt8, payload: UnsafeRawBufferPointer) throws(RecordDecodingError) -> SpoolRecord {
        guard let type = RecordType(rawValue: type) else {
            throw RecordDecodingError(reason: "unknown record type \(type)")
        }
        var decoder = try RecordDecoder(payload)
        let record: SpoolRecord
        switch type {
        case .jobAdded:
            let id = try decoder.id()
            let attempts = try decoder.u32()
            let notBefore = try decoder.i64()
            _ = try decoder.id()
            let createdAt = try decoder.i64()
            _ = try decoder.field()
            _ = try decoder.field()
            let action = try decoder.string()
            var group: UInt64 = 0
            if try decoder.u8() != 0 { group = Digest.orderingGroup(action: action, key: try decoder.field()) }
            _ = try decoder.field()
            _ = try decoder.jobTrailer()
            record = .jobAdded(
                JobHeader(
                    id: id, attempts: attempts, notBefore: notBefore, createdAt: createdAt, action: action,
                    orderingGroup: group))
        case .attemptFinished:
            let id = try decoder.id()
            let attempts = try decoder.u32()
            let notBefore = try decoder.i64()
            let outcome = try decoder.field()
            _ = try decoder.field()
            record = .attemptFinished(
                id: id, attempts: attempts, notBefore: notBefore,
                mayHaveSent: outcome.elementsEqual(Outcome.ambiguousRetryLabel.utf8))
        case .jobDone:
            record = .jobDone(try decoder.id())
        case .jobDead:
            let id = try decoder.id()
            let attempts = try decoder.u32()
            let diedAt = try decoder.i64()
            _ = try decoder.field()
            if try decoder.u8() != 0 { _ = try decoder.field() }
            record = .jobDead(id: id, attempts: attempts, diedAt: diedAt)
        case .jobRetried:
            record = .jobRetried(id: try decoder.id(), notBefore: try decoder.i64())
        case .jobDropped:
            record = .jobDropped(try decoder.id())
        case .dedupeKey:
            let high = try decoder.u64()
            let low = try decoder.u64()
            record = .dedupeKey(digest: UInt128(high) << 64 | UInt128(low), expiresAt: try decoder.i64())
        case .seriesStarted:
            record = .seriesStarted(id: try decoder.id(), at: try decoder.i64())
        case .mayHaveSent:
            record = .mayHaveSent(try decoder.id())
        }
        guard decoder.isAtEnd else { throw RecordDecodingError(reason: "\(type) record has trailing bytes") }
        return record
    }

    /// The whole job of a "job added" payload, its JSON parsed.
    static func decodeJob(payload: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Job {
        var decoder = try RecordDecoder(payload)
        let id = try decoder.id()
        let attempts = try decoder.u32()
        let notBefore = try decoder.i64()
        let eventID = try decoder.id()
        let createdAt = try decoder.i64()
        let eventText = try decoder.string()
        guard let eventName = EventName(eventText) else {
            throw RecordDecodingError(reason: "invalid event name '\(eventText)'")
        }
        let route = try decoder.string()
        let action = try decoder.string()
        let orderingKey = try decoder.optionalString()
        let text = try decoder.field()
        let trailer = try decoder.jobTrailer()
        let dueAt = trailer.dueAt ?? createdAt
        let payload: JSON
        do {
            payload = try JSONDocument(parsing: text).root.json
        } catch {
            throw RecordDecodingError(reason: "payload is not valid JSON: \(error)")
        }
        return Job(
            id: id, eventID: eventID, eventName: eventName, route: route, action: action, payload: payload,
            orderingKey: orderingKey, createdAt: WallClock(millisecondsSinceEpoch: createdAt),
            notBefore: WallClock(millisecondsSinceEpoch: notBefore), attempts: Int(attempts),
            dueAt: WallClock(millisecondsSinceEpoch: dueAt), trace: trailer.trace)
    }

    /// The reason, attempts and last answer of a "job dead" payload.
    static func decodeDeath(payload: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Death {
        var decoder = try RecordDecoder(payload)
        _ = try decoder.id()
        let attempts = try decoder.u32()
        let diedAt = try decoder.i64()
        let reason = try decoder.string()
        let lastAnswer = try decoder.optionalString()
        return Death(
            attempts: Int(attempts), diedAt: WallClock(millisecondsSinceEpoch: diedAt), reason: reason,
            lastAnswer: lastAnswer)
    }
}

extension RecordDecoder {
    /// What follows a "job added" record's payload: nothing (records of earlier versions), the
    /// due time, or the due time and the trace.
    mutating func jobTrailer() throws(RecordDecodingError) -> (dueAt: Int64?, trace: TraceContext?) {
        if isAtEnd { return (nil, nil) }
        let dueAt = try i64()
        if isAtEnd { return (dueAt, nil) }
        let tag = try u8()
        guard tag == RecordEncoder.traceTag else { throw RecordDecodingError(reason: "unknown job trailer \(tag)") }
        let high = try u64()
        let low = try u64()
        let span = try u64()
        let flags = try u8()
        let state = try optionalString()
        guard let traceID = TraceID(high: high, low: low), let spanID = SpanID(span) else {
            throw RecordDecodingError(reason: "job trace has a zero id")
        }
        return (dueAt, TraceContext(traceID: traceID, spanID: spanID, flags: flags, state: state))
    }
}
