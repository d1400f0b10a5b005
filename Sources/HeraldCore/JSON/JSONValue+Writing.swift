extension JSONValue: CustomStringConvertible {
    /// An owned copy of the value. Integer literals that fit in 64 bits become `.int`, other numbers
    /// `.double`; for a repeated object key the last value wins at the first key's position.
    package var json: JSON {
        let entry = entry
        switch entry.kind {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .string: return .string(string ?? "")
        case .number:
            if let integer = int { return .int(Int64(integer)) }
            return .double(number ?? 0)
        case .array:
            var elements: [JSON] = []
            elements.reserveCapacity(Int(entry.count))
            for element in self.elements { elements.append(element.json) }
            return .array(elements)
        case .object:
            return .object(materializeObject(count: Int(entry.count)))
        }
    }

    private func materializeObject(count: Int) -> JSONObject {
        var object = JSONObject(capacity: count)
        // A repeated key keeps its first place and its last value. Small objects (nearly all)
        // look for it among the members so far; large ones keep positions by key, to avoid
        // quadratic scans.
        guard count > Self.objectScannedForRepeatsUpTo else {
            for (key, value) in members {
                if let position = object.position(of: key) {
                    object.replaceValue(at: position, with: value.json)
                } else {
                    object.appendNew(key, value.json)
                }
            }
            return object
        }
        var positions: [String: Int] = [:]
        positions.reserveCapacity(count)
        for (key, value) in members {
            if let position = positions[key] {
                object.replaceValue(at: position, with: value.json)
            } else {
                positions[key] = object.count
                object.appendNew(key, value.json)
            }
        }
        return object
    }

    static let objectScannedForRepeatsUpTo = 16

    /// Writes the value compactly, byte for byte what `json.serialized()` gives; strings without
    /// escapes and integers are copied from the source instead of being decoded and re-encoded.
    package func write(to writer: inout JSONWriter) {
        let entry = entry
        switch entry.kind {
        case .null: writer.writeNull()
        case .false: writer.write(false)
        case .true: writer.write(true)
        case .string:
            if entry.flags & JSONTapeEntry.hasEscapes == 0 {
                // Validated UTF-8 without quotes, backslashes or control characters: already canonical.
                writeSource(entry, to: &writer)
            } else {
                writer.writeString(string ?? "")
            }
        case .number:
            if let integer = int {
                if integer == 0 {
                    writer.write(0)  // `-0` is written `0`, as for `.int(0)`.
                } else {
                    writeSource(entry, to: &writer)
                }
            } else {
                writer.write(number ?? 0)
            }
        case .array:
            writer.beginArray()
            for element in elements { element.write(to: &writer) }
            writer.endArray()
        case .object:
            writer.beginObject()
            // Same members as `json` (last value of a repeated key, at the first key's position).
            let duplicates = hasRepeatedKeys()
            if duplicates {
                for (key, value) in json.object ?? [:] {
                    writer.key(key)
                    writer.write(value)
                }
            } else {
                var child = index + 1
                let end = Int(entry.next)
                while child < end {
                    let key = storage.tape[child]
                    if key.flags & JSONTapeEntry.hasEscapes == 0 {
                        storage.bytes.withUnsafeBufferPointer { bytes in
                            writer.writeKeyBytes(UnsafeBufferPointer(rebasing: bytes[Int(key.start)..<Int(key.end)]))
                        }
                    } else {
                        writer.key(JSONValue(storage: storage, index: child).string ?? "")
                    }
                    JSONValue(storage: storage, index: child + 1).write(to: &writer)
                    child = Int(storage.tape[child + 1].next)
                }
            }
            writer.endObject()
        }
    }

    private func writeSource(_ entry: JSONTapeEntry, to writer: inout JSONWriter) {
        storage.bytes.withUnsafeBufferPointer { bytes in
            writer.writeValueBytes(UnsafeBufferPointer(rebasing: bytes[Int(entry.start)..<Int(entry.end)]))
        }
    }

    /// Whether an object has a key more than once (rare; checked so output matches `json`).
    private func hasRepeatedKeys() -> Bool {
        let count = Int(entry.count)
        guard count > 1 else { return false }
        if count <= 16 {
            var keys: [JSONValue] = []
            for child in keyIndices() {
                let key = JSONValue(storage: storage, index: child)
                if keys.contains(where: { $0.sameString(as: key) }) { return true }
                keys.append(key)
            }
            return false
        }
        var seen = Set<String>()
        for (key, _) in members where !seen.insert(key).inserted { return true }
        return false
    }

    private func keyIndices() -> [Int] {
        var indices: [Int] = []
        var child = index + 1
        let end = Int(entry.next)
        while child < end {
            indices.append(child)
            child = Int(storage.tape[child + 1].next)
        }
        return indices
    }

    /// Whether two strings of the same document unescape to the same bytes.
    private func sameString(as other: JSONValue) -> Bool {
        let entry = entry
        let start = Int(entry.start) + 1
        return storage.bytes.withUnsafeBufferPointer { bytes in
            if entry.flags & JSONTapeEntry.hasEscapes == 0 {
                return other.keyEquals(other.index, UnsafeBufferPointer(rebasing: bytes[start..<Int(entry.end) - 1]))
            }
            var text = string ?? ""
            return text.withUTF8 { other.keyEquals(other.index, $0) }
        }
    }

    /// The value as compact JSON text.
    package var description: String {
        var writer = JSONWriter(reservingCapacity: Int(entry.end - entry.start))
        write(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
