/// An email address with an optional display name, as rendered into a job.
package struct EmailAddress: Sendable, Hashable {
    package var email: String
    package var name: String?

    package init(email: String, name: String? = nil) {
        self.email = email
        self.name = name
    }

    var json: JSON {
        var object: JSONObject = ["email": .string(email)]
        if let name, !name.isEmpty { object["name"] = .string(name) }
        return .object(object)
    }

    init?(json: JSON?) {
        guard let email = json?["email"]?.string else { return nil }
        self.init(email: email, name: json?["name"]?.string)
    }

    /// A light check that catches what is clearly not an address (empty, no `@`, spaces,
    /// control characters); the provider does the real validation.
    package var looksValid: Bool {
        // ASCII (nearly every address): bytes are characters, and a CR (the one ASCII pair that is
        // one character, CR LF) makes the address invalid either way.
        var email = email
        if let ascii = email.withUTF8({ bytes -> Bool? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), at != 0, at != bytes.count - 1 else { return false }
            return !bytes.contains { $0 <= 0x20 || $0 == 0x7F }
        }) {
            return ascii
        }
        guard let at = email.lastIndex(of: "@"), at != email.startIndex, email.index(after: at) != email.endIndex else {
            return false
        }
        return !email.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F }
    }
}

/// An address whose parts are templates.
package struct AddressTemplate: Sendable {
    package let email: Template
    package let name: Template?

    package init(email: Template, name: Template?) {
        self.email = email
        self.name = name
    }

    package func render(_ event: Event, report: inout RenderReport) -> EmailAddress {
        let name = self.name?.render(event, report: &report)
        return EmailAddress(email: email.render(event, report: &report), name: name?.isEmpty == true ? nil : name)
    }

    /// Compiles `"{{recipient}}"`, `jane@example.com` or `{email: …, name: …}`.
    package static func compile(_ node: ConfigNode, key: String, templates: TemplateCompiler) -> AddressTemplate? {
        let diagnostics = templates.diagnostics
        if node.mapping != nil {
            guard let map = ConfigMap(node, keys: ["email", "name"], what: "'\(key)'", diagnostics: diagnostics),
                let emailNode = map.node("email", required: true)
            else { return nil }
            guard let email = templates.compile(emailNode, key: "email", sink: .header) else { return nil }
            let name = map.node("name").flatMap { templates.compile($0, key: "name", sink: .header) }
            return AddressTemplate(email: email, name: name)
        }
        return templates.compile(node, key: key, sink: .header).map { AddressTemplate(email: $0, name: nil) }
    }

    /// Compiles one address or a list of them.
    package static func compileList(_ node: ConfigNode, key: String, templates: TemplateCompiler) -> [AddressTemplate]? {
        let items = node.sequence ?? [node]
        if items.isEmpty {
            templates.diagnostics.error("'\(key)' must name at least one address", at: node)
            return nil
        }
        let compiled = items.compactMap { compile($0, key: key, templates: templates) }
        return compiled.count == items.count ? compiled : nil
    }
}
