/// The per-method hook lists of Kratos' `after` phases (ory/kratos `embedx/config.schema.json`):
/// Kratos runs the list of the method that was used (for settings, of the settings type that
/// changed), and reads pre-persist hooks only from these lists.
package enum KratosMethod {
    /// The lists of each flow that has them, in the schema's order. `passkey` exists from Kratos
    /// v1.2.0; the rest from v1.1.0 on.
    package static let afterLists: [String: [String]] = [
        "registration": ["password", "webauthn", "passkey", "oidc", "code"],
        "login": ["password", "webauthn", "passkey", "oidc", "code", "totp", "lookup_secret"],
        "settings": ["password", "totp", "oidc", "webauthn", "passkey", "lookup_secret", "profile"],
    ]

    /// The lists a deny route on `flow`.after guards when it names none: every registration
    /// method (each creates an identity), and for settings only `profile`, the one settings type
    /// that changes traits, so that a rule about an address does not block a password change.
    package static func defaultDenyLists(flow: String) -> [String] {
        flow == "settings" ? ["profile"] : afterLists[flow] ?? []
    }

    /// Whether `text` can be a Kratos method name (`password`, `oidc`, `lookup_secret`): a
    /// lowercase letter, then lowercase letters, digits and `_`, at most 40 bytes.
    package static func isMethodName(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            text.utf8.count <= 40
        else { return false }
        return text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }
}
