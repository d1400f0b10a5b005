extension EmailAddress {
    /// An action's default sender: `hello@example.com` or `{email: hello@example.com, name:
    /// Example}`, checked to look like an address; every problem recorded at its position.
    ///
    /// - Parameter plain: also require a plain address (`EmailAddress.plainAddressProblem`), for
    ///   plugins that write it into a header or an SMTP envelope themselves.
    package static func sender(
        _ node: ConfigNode, plain: Bool = false, diagnostics: ConfigDiagnostics
    ) -> EmailAddress? {
        var address: EmailAddress
        var emailNode = node
        if node.mapping != nil {
            guard let map = ConfigMap(node, keys: ["email", "name"], what: "'from'", diagnostics: diagnostics),
                let email = map.string("email", required: true)
            else { return nil }
            emailNode = map.node("email") ?? node
            address = EmailAddress(email: email, name: map.string("name"))
        } else {
            guard let email = ConfigMap.string(node, key: "from", diagnostics: diagnostics) else { return nil }
            address = EmailAddress(email: email)
        }
        guard address.looksValid else {
            diagnostics.error("'from' is not an email address: \(emailNode.displayValue)", at: emailNode)
            return nil
        }
        if plain, let problem = address.plainAddressProblem {
            diagnostics.error("'from' \(emailNode.displayValue) is not a plain address: \(problem)", at: emailNode)
            return nil
        }
        if address.name?.isEmpty == true { address.name = nil }
        return address
    }
}
