/// Compiles templates from config values and files, checking syntax and paths, recording every
/// problem at its position.
package struct TemplateCompiler {
    /// The known events the templates will render for; paths that exist for none are errors.
    package let events: [EventName]
    package let diagnostics: ConfigDiagnostics

    package init(events: [EventName], diagnostics: ConfigDiagnostics) {
        self.events = events
        self.diagnostics = diagnostics
    }

    /// Compiles the text of a scalar config node; reports and returns nil when it is not text or
    /// not a valid template.
    package func compile(_ node: ConfigNode, key: String, sink: TemplateSink) -> Template? {
        guard let scalar = node.scalar else {
            diagnostics.error("'\(key)' must be a text template, found \(node.kindDescription)", at: node)
            return nil
        }
        // Numbers and booleans written plainly are fine as template text (`FNAME: 42`).
        if node.isNull {
            diagnostics.error("'\(key)' must be a text template, found null", at: node)
            return nil
        }
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        let block = scalar.style == .literal || scalar.style == .folded
        return compile(scalar.text, sink: sink) { offset, text in
            let before = text.utf8.prefix(offset)
            let newlines = before.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            let lineStart = before.lastIndex(of: 0x0A).map { before.index(after: $0) } ?? before.startIndex
            let column = String(decoding: before[lineStart...], as: UTF8.self).count
            var location = node.location
            if block {
                location.line += newlines + 1
                location.column = column + 1
            } else if newlines > 0 {
                location.line += newlines
                location.column = column + 1
            } else {
                location.column += column + (quoted ? 1 : 0)
            }
            return location
        }
    }

    /// Compiles a template file's text; `file` names it in messages.
    package func compile(fileText text: String, file: String, sink: TemplateSink) -> Template? {
        compile(text, sink: sink) { offset, text in
            let before = text.utf8.prefix(offset)
            let line = before.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            let lineStart = before.lastIndex(of: 0x0A).map { before.index(after: $0) } ?? before.startIndex
            let column = String(decoding: before[lineStart...], as: UTF8.self).count + 1
            return SourceLocation(file: file, line: line, column: column)
        }
    }

    private func compile(
        _ text: String, sink: TemplateSink, locate: (Int, String) -> SourceLocation
    ) -> Template? {
        var parser = TemplateParser(text)
        var paths: [(PayloadPath, Int)] = []
        let nodes: [Template.Node]
        do {
            nodes = try parser.parse(paths: &paths)
        } catch {
            diagnostics.error(error.message, at: locate(error.offset, text))
            return nil
        }
        var valid = true
        for (path, offset) in paths {
            if let problem = PayloadShape.problem(with: path, events: events) {
                diagnostics.error(problem, at: locate(offset, text))
                valid = false
            }
        }
        return valid ? Template(nodes: nodes, sink: sink, source: text) : nil
    }
}
