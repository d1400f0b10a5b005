/// A position in a configuration file: 1-based line and column, as editors show them.
package struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file as the user named it (relative paths stay relative).
    package var file: String
    /// 1-based line number.
    package var line: Int
    /// 1-based column number, counted in Unicode scalars.
    package var column: Int

    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A location for values that do not come from a file, such as the embedded default config.
    package static func builtin(_ name: String) -> SourceLocation {
        SourceLocation(file: name, line: 1, column: 1)
    }

    /// `file:line:column`, the prefix of every config error.
    package var description: String { "\(file):\(line):\(column)" }

    package static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
