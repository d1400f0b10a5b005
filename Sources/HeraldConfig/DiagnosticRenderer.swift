import HeraldCore

/// Formats diagnostics the way compilers do: the position and message, then the source line
/// and a caret under the column.
///
/// ```
/// /etc/herald/herald.yaml:12:7: unknown key 'tempalte' in step 1 of route 'welcome'; did you mean 'template'?
///    12 |       tempalte: welcome
///       |       ^
/// ```
///
/// Lines are quoted from `sources` (the texts the loader read), never re-read from disk. When
/// the line is not available (a built-in config, an unreadable file) only the first line is
/// printed. Tabs are expanded to `tabWidth` columns in the quote and for the caret alike;
/// other control characters are shown as `?` so a config file cannot drive the terminal.
package struct DiagnosticRenderer: Sendable {
    package var sources: SourceCache
    package var tabWidth: Int = 4

    package init(sources: SourceCache) {
        self.sources = sources
    }

    /// One diagnostic, its lines separated by `\n`, without a final line break.
    package func render(_ diagnostic: ConfigDiagnostic) -> String {
        let header = diagnostic.description
        let location = diagnostic.location
        guard let line = sources.line(location.line, of: location.file) else { return header }
        var quoted = ""
        var caretOffset: Int?
        var width = 0
        for (index, scalar) in line.unicodeScalars.enumerated() {
            if index == location.column - 1 { caretOffset = width }
            if scalar == "\t" {
                let spaces = tabWidth - width % tabWidth
                quoted += String(repeating: " ", count: spaces)
                width += spaces
            } else {
                quoted.unicodeScalars.append(scalar.properties.generalCategory == .control ? "?" : scalar)
                width += 1
            }
        }
        // A column past the end of the line (an error at the end of the line or of the file)
        // puts the caret just after the last character.
        let caret = String(repeating: " ", count: caretOffset ?? width) + "^"
        let number = String(location.line)
        let gutter = String(repeating: " ", count: number.count)
        return "\(header)\n   \(number) | \(quoted)\n   \(gutter) | \(caret)"
    }

    /// Every diagnostic in order, each followed by a line break; ready for standard error.
    package func render(_ diagnostics: [ConfigDiagnostic]) -> String {
        diagnostics.map { render($0) + "\n" }.joined()
    }
}
