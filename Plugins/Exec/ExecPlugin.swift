import HeraldCore

/// `plugin: exec` — runs a program (no shell) with the event on its standard input.
///
/// ```yaml
/// actions:
///   provision:
///     plugin: exec
///     program: /usr/local/bin/provision-user      # absolute, relative to this file, or a name in PATH
///     args: ["--realm", "customers"]              # constant; argv[0] is the program
///     # working_directory: /var/lib/provision
///     # environment: { API_TOKEN: "${credential:provision-token}", LANG: C.UTF-8 }
///     # inherit_environment: [PATH]               # names passed on from Herald's own environment
///     # timeout: 30s
///     # concurrency: 4                            # programs running at once (the default)
/// routes:
///   - name: provision
///     events: [registration.after]
///     do:
///       - action: provision                       # stdin: the event's payload as JSON
///       # body: "{{identity.id}}"                 # or a rendered body
/// ```
///
/// The environment is exactly what is configured, plus `HERALD_JOB_ID` (the same on every
/// attempt), `HERALD_EVENT` and `HERALD_ATTEMPT` (1 for the first).
///
/// Outcomes: exit 0 → delivered; exit 75 (`EX_TEMPFAIL`) → retry; any other exit → failed, with
/// the last lines of stderr (secrets and addresses masked); past `timeout` → its whole process
/// group is killed and the job retried (marked ambiguous: it may have done part of its work).
package enum ExecPlugin: ActionPlugin {
    package static let kind = "exec"
    package static let summary = "runs a program with the event on stdin (no shell)"

    package static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
        guard let settings = ExecSettings.parse(definition) else { return nil }
        return ExecAction(name: definition.name, settings: settings, configurationSecrets: definition.secrets)
    }
}
