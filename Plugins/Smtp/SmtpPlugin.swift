import HeraldCore

/// `plugin: smtp` — sends each message to an SMTP server (a relay, a provider's submission port)
/// through libcurl: STARTTLS or TLS, AUTH PLAIN or LOGIN.
///
/// ```yaml
/// actions:
///   mail:
///     plugin: smtp
///     url: smtp://smtp.example.com:587               # STARTTLS; or smtps://smtp.example.com:465
///     # starttls: required                           # or none (clear text; loopback relays)
///     username: herald@example.com
///     password: "${credential:smtp-password}"
///     # auth: PLAIN                                  # or LOGIN; default: curl picks from the server's list
///     from: { email: hello@example.com, name: Example }
///     # timeout: 60s                                 # the whole session
///     # connect_timeout: 10s
///     # ca_file: /etc/herald/smtp-ca.pem             # default: the system's CAs
///     # helo_name: herald.example.com                # default: this machine's name
///     # concurrency: 4                               # sessions at once (the default)
/// routes:
///   - name: welcome
///     events: [registration.after]
///     do:
///       - action: mail
///         to: "{{recipient}}"
///         subject: "Welcome!"
///         text_file: templates/welcome.txt
/// ```
///
/// Each attempt of a job sends the same message: its `Message-ID` is `<JOB@herald.invalid>` and
/// `X-Herald-Job` names the job. `Bcc` recipients get it through the envelope, never a header.
/// The message goes to every recipient or to none: a rejected recipient ends the transaction.
///
/// Outcomes: 250 after the message → delivered; a 4xx reply → retry (greylisting); a 5xx reply →
/// failed with the server's text (addresses masked); no connection → retry; a certificate or TLS
/// problem → failed; a timeout or lost connection → retry, ambiguous once the whole message was sent.
package enum SmtpPlugin: ActionPlugin {
    package static let kind = "smtp"
    package static let summary = "sends each message to an SMTP server (STARTTLS or TLS, AUTH PLAIN/LOGIN)"

    package static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
        guard let settings = SmtpSettings.parse(definition) else { return nil }
        return SmtpAction(name: definition.name, settings: settings, configurationSecrets: definition.secrets)
    }
}
