import FoundationEssentials
import HeraldCore

/// `plugin: outbox` — writes each message as an RFC 5322 `.eml` file plus a JSON sidecar into a
/// directory, atomically. For development, demos, tests, and as an audit copy.
///
/// ```yaml
/// actions:
///   outbox:
///     plugin: outbox
///     directory: /var/lib/herald/outbox     # default: <state_dir>/outbox
///     from: { email: hello@example.com, name: Example }
/// routes:
///   - name: welcome
///     events: [registration.after]
///     do:
///       - action: outbox
///         to: "{{recipient}}"
///         subject: "Welcome!"
///         text: "Hello {{identity.traits.name.first | default: 'there'}}"
/// ```
/// Steps take the email keys (`to`, `cc`, `bcc`, `from`, `reply_to`, `subject`, `html`, `text`,
/// `html_file`, `text_file`) and, to mirror a Mandrill step, `template`, `vars` and `tags`, which
/// are recorded in the sidecar.
package enum OutboxPlugin: ActionPlugin {
    package static let kind = "outbox"
    package static let summary = "writes each message as an .eml file and a JSON sidecar into a directory"

    package static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
        guard let options = definition.options(keys: ["directory", "from"]) else { return nil }
        var directory = options.string("directory") ?? definition.stateDirectory + "/outbox"
        if !directory.hasPrefix("/") { directory = definition.baseDirectory + "/" + directory }
        var from: EmailAddress?
        if let node = options.node("from") {
            from = EmailAddress.sender(node, plain: true, diagnostics: definition.diagnostics)
            if from == nil { return nil }
        }
        return OutboxAction(name: definition.name, directory: directory, from: from)
    }
}
