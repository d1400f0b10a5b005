/// Whether a variable's name says it holds a credential (`API_KEY`, `SMTP_PASSWORD`,
/// `AUTH_TOKEN`, `DATABASE_DSN`…). Where Herald cannot know that a value is a secret (it was
/// written into the file, or inherited from Herald's own environment), such a name is taken as
/// the operator's word that it is: its value is masked wherever it could surface.
package enum CredentialNames {
    /// The parts that mark a credential, in upper case.
    package static let parts = ["KEY", "TOKEN", "SECRET", "PASS", "AUTH", "CREDENTIAL", "DSN"]

    package static func suggestCredential(_ name: String) -> Bool {
        let upper = name.uppercased()
        return parts.contains { upper.contains($0) }
    }
}
