internal import CYAML
import HeraldCore

extension YAMLTreeBuilder {
    /// Reports the error that stopped libyaml, in its own words, at its position.
    func reportParserError(_ parser: yaml_parser_t, bytes: [UInt8]) {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            diagnostics.error("out of memory while parsing YAML", at: SourceLocation(file: file, line: 1, column: 1))
        case YAML_READER_ERROR:
            // Reader errors (bad UTF-8, control characters) carry a byte offset, not a mark.
            var message = problem
            if parser.problem_value != -1 {
                let value = UInt32(bitPattern: parser.problem_value)
                message +=
                    problem.contains("octet")
                    ? " 0x" + hex(value, digits: 2)
                    : " (U+" + hex(value, digits: 4) + ")"
            }
            diagnostics.error(message, at: location(ofByte: parser.problem_offset, in: bytes))
        default:
            let mark = parser.problem_mark
            var message = problem
            if let context = parser.context.map({ String(cString: $0) }) {
                let start = parser.context_mark
                if start.line == mark.line, start.column == mark.column {
                    message += " (\(context))"
                } else {
                    message += " (\(context) at line \(start.line + 1), column \(start.column + 1))"
                }
            }
            if character(atLine: mark.line, column: mark.column, in: bytes) == "\t" {
                message += "; indent with spaces, not tabs"
            }
            diagnostics.error(message, at: SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1))
        }
    }

    /// The line and column (in characters) of the byte at `offset`, counting line breaks as
    /// libyaml does.
    private func location(ofByte offset: Int, in bytes: [UInt8]) -> SourceLocation {
        var line = 1
        var column = 1
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let length = lineBreakLength(bytes, at: index)
            if length > 0 {
                line += 1
                column = 1
                index += length
                continue
            }
            // Count characters: every byte that does not continue a UTF-8 sequence starts one.
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return SourceLocation(file: file, line: line, column: column)
    }

    /// The character at a 0-based mark, found again in the text (marks count characters, not bytes).
    private func character(atLine line: Int, column: Int, in bytes: [UInt8]) -> Unicode.Scalar? {
        let lines = splitLines(bytes)
        guard line < lines.count else { return nil }
        let scalars = lines[line].unicodeScalars
        guard column < scalars.count else { return nil }
        return scalars[scalars.index(scalars.startIndex, offsetBy: column)]
    }

    private func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
