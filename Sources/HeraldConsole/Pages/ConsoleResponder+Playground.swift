import HeraldCommands
import HeraldConfig
import HeraldCore
import HeraldHTTP

/// The route playground: a pasted payload through `herald explain`'s own `Explanation` (the
/// ingress' shared decision), nothing sent. A payload that is not JSON shows where the parser
/// stopped.
extension ConsoleResponder {
    func playground(_ input: PlaygroundInput, csrf: String) -> HTTPResponse {
        let configuration = context.configuration.current.configuration
        var result = ""
        var status = 200
        if input.submitted {
            switch explain(input, configuration: configuration) {
            case .success(let text):
                result = "<h2>What herald explain says</h2><pre id=\"explanation\">\(HTML.escape(text))</pre>"
            case .failure(let problem):
                status = 400
                result = "<div class=\"error\" role=\"alert\" id=\"problem\">\(problem.html)</div>"
            }
        }
        let names = ["(as the payload says)"] + EventName.known.map(\.rawValue)
        var options = ""
        for name in names {
            let value = name.hasPrefix("(") ? "" : name
            let selected = value == input.event ? " selected" : ""
            options += "<option value=\"\(HTML.escape(value))\"\(selected)>\(HTML.escape(name))</option>"
        }
        let body = """
            <p>Paste a payload as Kratos (or Mandrill) would send it; see which routes match, what they would
            deny and which jobs they would plan. Nothing is stored or sent.</p>
            <form method="post" action="/playground">\(ConsolePage.csrfField(csrf))
            <p><label for="event">Event</label><select id="event" name="event">\(options)</select></p>
            <p><label for="method">Method (the hook's ?method=, optional)</label>
            <input id="method" name="method" value="\(HTML.escape(input.method))" placeholder="password"></p>
            <p><label for="payload">Payload (JSON)</label>
            <textarea id="payload" name="payload" spellcheck="false" required>\(HTML.escape(input.payload))</textarea></p>
            <p><button type="submit">Explain</button></p>
            </form>
            \(result)
            """
        return ConsolePage(title: "Route playground", section: .playground, csrf: csrf, body: body, status: status)
            .response
    }

    /// The explanation, or what is wrong with the input as escaped markup.
    private func explain(_ input: PlaygroundInput, configuration: HeraldConfiguration) -> Result<String, Problem> {
        if !input.method.isEmpty, !KratosMethod.isMethodName(input.method[...]) {
            return .failure(
                Problem(
                    "<p>method '\(HTML.escape(input.method))' is not a Kratos method name (lowercase letters, digits, _; such as password or oidc)</p>"
                ))
        }
        let bytes = Array(input.payload.utf8)
        let document: JSONDocument
        do throws(JSONParseError) {
            document = try JSONDocument(parsing: bytes)
        } catch {
            return .failure(Problem(Self.parsePosition(error, in: bytes)))
        }
        switch ExplainInput.choose(name: input.event.isEmpty ? nil : input.event, root: document.root) {
        case .problem(let text):
            return .failure(Problem("<p>\(HTML.escape(text))</p>"))
        case .event(let name, let payload):
            let event = Event(
                id: TimeOrderedIDGenerator().next(), name: name, receivedAt: .now, triggerID: nil, payload: payload,
                hookMethod: input.method.isEmpty ? nil : input.method)
            return .success(Explanation.render(configuration, event: event))
        }
    }

    /// "Not JSON: line 3, column 7: reason", with the line and a caret under the column.
    static func parsePosition(_ error: JSONParseError, in bytes: [UInt8]) -> String {
        let offset = min(max(0, error.offset), bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<offset where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let text = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
        let shown = String(text.prefix(200))
        let caret = String(repeating: " ", count: min(column - 1, 200)) + "^"
        return "<p>The payload is not JSON: line \(line), column \(column) (byte \(offset)): "
            + "\(HTML.escape(error.reason))</p><pre>\(HTML.escape(shown))\n\(caret)</pre>"
    }

    struct Problem: Error {
        /// Escaped markup.
        let html: String
        init(_ html: String) { self.html = html }
    }
}
