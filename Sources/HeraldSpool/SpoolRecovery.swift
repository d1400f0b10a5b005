import HeraldCore

/// A segment in the table: its open file and the length of its valid records.
struct LoadedSegment: Sendable {
    let file: SegmentFile
    var size: Int64
}

/// What recovery found: the index and the segments, and where appends continue.
struct RecoveredSpool {
    var index: SpoolIndex
    var segments: [UInt32: LoadedSegment]
    /// The last segment and its valid length, when appends can continue there; nil when a new
    /// segment must be started (no segments, or damage at the end that was not a torn tail).
    var appendTo: (number: UInt32, size: Int64)?
    var nextNumber: UInt32
}

/// Rebuilds the index from the segments at open: verifies every record, truncates a torn tail
/// off the last segment (writable mode), reports corruption elsewhere and goes on.
enum SpoolRecovery {
    static func load(
        directory: String, options: SpoolOptions, logger: Logger, fileSystem: any SpoolFileSystem, writable: Bool
    ) throws(SpoolError) -> RecoveredSpool {
        let names: [String]
        do { names = try fileSystem.contents(ofDirectory: directory) } catch {
            throw .io(operation: "opendir", path: directory, code: error.code)
        }
        let numbers = names.compactMap(SegmentFile.number(inName:)).sorted()
        let now = options.clock.now.millisecondsSinceEpoch
        var recovered = RecoveredSpool(
            index: SpoolIndex(dedupeCapacity: options.dedupeCapacity), segments: [:], appendTo: nil,
            nextNumber: (numbers.last ?? 0) + 1)
        var buffer: [UInt8] = []
        for (position, number) in numbers.enumerated() {
            let isLast = position == numbers.count - 1
            let path = directory + "/" + SegmentFile.name(of: number)
            let descriptor: Int32
            do { descriptor = try fileSystem.open(path, mode: writable && isLast ? .readWrite : .readOnly) } catch {
                throw .io(operation: "open", path: path, code: error.code)
            }
            let file = SegmentFile(number: number, path: path, descriptor: descriptor, fileSystem: fileSystem)
            let size = try file.size()
            let log = logger.with(["segment": .string(path)])
            // Mapped, not copied (a million jobs are a gigabyte), when this process holds the lock;
            // a read-only snapshot reads, since a running daemon may cut a segment meanwhile.
            let scanned = try file.withContents(count: Int(size), scratch: &buffer, mapping: writable) {
                raw -> (count: Int, headerProblem: String?, damage: [SegmentScanner.Damage], end: Int) in
                if let problem = SegmentHeader.problem(in: raw) { return (raw.count, problem, [], raw.count) }
                var scanner = SegmentScanner(bytes: raw, maxRecordBytes: SpoolOptions.recordLimit)
                let damage = scanner.scan { offset, length, type, payload in
                    do throws(RecordDecodingError) {
                        let record = try SpoolRecord.decode(type: type, payload: payload)
                        let location = RecordLocation(segment: number, offset: UInt32(offset), length: UInt32(length))
                        recovered.index.apply(record, at: location, now: now)
                    } catch {
                        log.error(
                            "skipping a record that cannot be decoded",
                            ["offset": .int(offset), "reason": .string(error.reason)])
                    }
                }
                return (raw.count, nil, damage, scanner.end)
            }
            let count = scanned.count
            let damage = scanned.damage
            let end = scanned.end
            if let headerProblem = scanned.headerProblem {
                if isLast && count < SegmentHeader.size {
                    // Created but never synced (a crash while starting a segment): nothing was in it.
                    log.warning("dropping a segment whose creation was interrupted", ["bytes": .int(count)])
                    if writable { try remove(path, directory: directory, fileSystem: fileSystem) }
                } else {
                    log.error(
                        "skipping an unreadable segment", ["reason": .string(headerProblem), "bytes": .int(count)])
                    recovered.segments[number] = LoadedSegment(file: file, size: size)
                }
                continue
            }
            // Zeros written ahead of the appends end the records without being damage.
            var validEnd = Int64(end)
            var canAppend = isLast
            for problem in damage {
                switch problem {
                case .corrupt(let offset, let resumedAt, let reason):
                    log.error(
                        "corrupt records in the middle of a segment were skipped",
                        ["offset": .int(offset), "bytes_skipped": .int(resumedAt - offset), "reason": .string(reason)])
                case .unresolved(let offset, let reason):
                    log.error(
                        "corrupt records were skipped up to the end of the segment",
                        ["offset": .int(offset), "bytes_skipped": .int(count - offset), "reason": .string(reason)])
                    canAppend = false
                case .tornTail(let offset, let reason):
                    // Written but never synced, so never acknowledged: dropping it loses nothing.
                    log.warning(
                        writable && isLast
                            ? "truncating the torn tail of the log" : "ignoring the torn tail of a segment",
                        ["offset": .int(offset), "bytes_dropped": .int(count - offset), "reason": .string(reason)])
                    validEnd = Int64(offset)
                    if writable && isLast {
                        try file.truncate(to: validEnd)
                        try file.synchronize()
                    }
                }
            }
            recovered.segments[number] = LoadedSegment(file: file, size: validEnd)
            if canAppend { recovered.appendTo = (number, validEnd) }
        }
        return recovered
    }

    static func remove(_ path: String, directory: String, fileSystem: any SpoolFileSystem) throws(SpoolError) {
        do { try fileSystem.unlink(path) } catch { throw .io(operation: "unlink", path: path, code: error.code) }
        do { try fileSystem.synchronizeDirectory(directory) } catch {
            throw .io(operation: "fsync", path: directory, code: error.code)
        }
    }
}
