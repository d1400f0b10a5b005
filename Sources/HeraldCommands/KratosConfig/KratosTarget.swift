import HeraldCore

/// The Kratos versions `herald kratos-config` writes for (`--kratos-version`): the output is
/// valid for this version and every later one. Kratos refuses a configuration its schema does
/// not allow (`additionalProperties: false` everywhere), so what differs between versions must
/// be left out for older targets. Facts from ory/kratos `embedx/config.schema.json` and
/// `selfservice/hook/*` at each tag (docs/kratos-compatibility.md).
package struct KratosTarget: Sendable, Comparable, CustomStringConvertible {
    package let major: Int
    package let minor: Int

    package init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// The oldest version Herald writes for, and the default: output every supported version accepts.
    package static let oldest = KratosTarget(major: 1, minor: 1)
    /// The newest release whose schema Herald knows; a later number is taken as "main and after".
    package static let newestKnown = KratosTarget(major: 26, minor: 2)

    /// Reads `1.3`, `v1.3.1`, `25.4.0`, `26.2` or `main`.
    ///
    /// - Throws: `Invalid` with a message for anything else, and for versions older than `oldest`.
    package init(parsing text: String) throws(Invalid) {
        if text == "main" {
            self = KratosTarget(major: Self.newestKnown.major, minor: Self.newestKnown.minor + 1)
            return
        }
        let digits = text.hasPrefix("v") ? text.dropFirst() : text[...]
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let major = Int(parts[0]), let minor = Int(parts[1]),
            parts.count == 2 || Int(parts[2]) != nil, major >= 0, minor >= 0
        else {
            throw Invalid(
                message: "--kratos-version takes a Kratos version such as 1.3, v25.4.0 or 26.2, found '\(text)'")
        }
        self = KratosTarget(major: major, minor: minor)
        guard self >= Self.oldest else {
            throw Invalid(message: "Kratos v\(major).\(minor) is older than Herald supports (v1.1 and later)")
        }
    }

    /// A version Herald cannot write for.
    package struct Invalid: Error, Sendable {
        package let message: String
    }

    /// `v1.1`, `v26.2`.
    package var description: String { self > Self.newestKnown ? "main (after v26.2)" : "v\(major).\(minor)" }

    /// The per-method `passkey` lists (and the passkey strategy) exist from v1.2.0.
    package var hasPasskeyLists: Bool { self >= KratosTarget(major: 1, minor: 2) }

    /// `web_hook` `config.id` exists from v25.4.0 (ory/kratos#4206).
    package var hasWebHookID: Bool { self >= KratosTarget(major: 25, minor: 4) }

    /// The `notify_previous_addresses` settings hook (which sends `verifiable_address_changed`)
    /// exists only on Kratos' main branch, in no release up to v26.2.0.
    package var hasNotifyPreviousAddresses: Bool { self > Self.newestKnown }

    /// `Ory-Webhook-Trigger-ID` is sent from v25.4.0 (with `emit_analytics_event` left on).
    package var sendsTriggerID: Bool { hasWebHookID }

    /// The method lists of `flow`.after this version's schema has.
    package func afterLists(of flow: String) -> [String]? {
        KratosMethod.afterLists[flow].map { lists in hasPasskeyLists ? lists : lists.filter { $0 != "passkey" } }
    }

    package static func < (lhs: KratosTarget, rhs: KratosTarget) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }
}
