extension JSON: CustomStringConvertible {
    /// The value as compact RFC 8259 JSON in UTF-8.
    package func serialized() -> [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    /// The value as compact JSON text.
    package var serializedString: String { String(decoding: serialized(), as: UTF8.self) }

    /// The compact JSON text.
    package var description: String { serializedString }

    /// The value as JSON indented by two spaces per level, for humans (`"key": value`, one member or
    /// element per line, empty containers as `{}` and `[]`).
    package func prettyPrinted() -> String {
        var writer = JSONWriter()
        appendPretty(to: &writer, indent: 0)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private func appendPretty(to writer: inout JSONWriter, indent: Int) {
        switch self {
        case .array(let elements) where !elements.isEmpty:
            writer.writeRaw(CollectionOfOne(UInt8(ascii: "[")))
            for (position, element) in elements.enumerated() {
                writer.writeRaw(position == 0 ? [0x0A] : [UInt8(ascii: ","), 0x0A])
                writer.writeRaw(repeatElement(UInt8(ascii: " "), count: indent + 2))
                element.appendPretty(to: &writer, indent: indent + 2)
            }
            writer.writeRaw(CollectionOfOne(0x0A))
            writer.writeRaw(repeatElement(UInt8(ascii: " "), count: indent))
            writer.writeRaw(CollectionOfOne(UInt8(ascii: "]")))
        case .object(let object) where !object.isEmpty:
            writer.writeRaw(CollectionOfOne(UInt8(ascii: "{")))
            for (position, (key, value)) in object.enumerated() {
                writer.writeRaw(position == 0 ? [0x0A] : [UInt8(ascii: ","), 0x0A])
                writer.writeRaw(repeatElement(UInt8(ascii: " "), count: indent + 2))
                writer.writeString(key)
                writer.writeRaw([UInt8(ascii: ":"), UInt8(ascii: " ")])
                value.appendPretty(to: &writer, indent: indent + 2)
            }
            writer.writeRaw(CollectionOfOne(0x0A))
            writer.writeRaw(repeatElement(UInt8(ascii: " "), count: indent))
            writer.writeRaw(CollectionOfOne(UInt8(ascii: "}")))
        default:
            // Scalars and empty containers; the writer is at top level, so no separators are added.
            writer.write(self)
        }
    }
}
