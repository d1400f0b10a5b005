/// An address of a message that Herald will not write into a header or an SMTP envelope because it
/// is not a plain address (`EmailAddress.plainAddressProblem`): planning refuses such a message,
/// and `EMLWriter` throws it. Log-safe: the address is masked.
package struct MailAddressProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key the address came from: `from`, `to`, `cc`, `bcc` or `reply_to`.
    package let key: String
    /// The address, masked (`j***@example.com`).
    package let shown: String
    /// What is wrong with it (`it holds '>', which an address may only hold quoted`).
    package let problem: String

    package init(key: String, address: String, problem: String) {
        self.key = key
        shown = RemoteTextRedactor(secrets: []).address(address)
        self.problem = problem
    }

    package var description: String { "'\(key)' \(shown) is not a plain address: \(problem)" }
}

extension RenderedEmail {
    /// The first address that is not a plain address, in the order `from`, `to`, `cc`, `bcc`,
    /// `reply_to`; nil when there is none. Addresses that rendered empty (an optional field the
    /// event lacks) are not written and not checked.
    package var addressProblem: MailAddressProblem? {
        var fields: [(String, [EmailAddress])] = [("from", from.map { [$0] } ?? [])]
        fields += [("to", to), ("cc", cc), ("bcc", bcc)]
        fields.append(("reply_to", replyTo.map { [EmailAddress(email: $0)] } ?? []))
        for (key, addresses) in fields {
            for address in addresses where !address.isBlank {
                if let problem = address.plainAddressProblem {
                    return MailAddressProblem(key: key, address: address.email, problem: problem)
                }
            }
        }
        return nil
    }
}

extension EmailAddress {
    /// True when the address rendered empty or as spaces: there is nothing to write.
    package var isBlank: Bool { email.allSatisfy { $0 == " " } }
}
