/// The configuration `herald serve` runs without a file: a loopback listener without
/// authentication, state under the working directory, and one route per flow to the `outbox`
/// plugin, so that a new user sees the whole path work before they own a Mandrill key.
package enum DefaultConfiguration {
    /// The YAML text; the README's walkthrough runs on it (its test takes it from here).
    package static let yaml = """
        # Herald's embedded default configuration (`herald serve` without --config).
        listen: ["127.0.0.1:4470"]
        state_dir: herald-state
        ingress:
          insecure_no_auth: true          # loopback only; add ingress.auth before exposing Herald
        actions:
          outbox:
            plugin: outbox                # writes each message as .eml + .json into the directory
            directory: herald-state/outbox
            from: { email: herald@localhost, name: Herald }
        routes:
          - name: welcome
            events: [registration.after]
            do:
              - action: outbox
                to: "{{recipient}}"
                subject: "Welcome, {{identity.traits.name.first | default: 'there'}}!"
                text: |
                  Hello {{identity.traits.name.first | default: 'there'}},

                  your account {{recipient}} was created (method: {{event.method | default: 'unknown'}}).
          - name: new-sign-in
            events: [login.after]
            do:
              - action: outbox
                to: "{{recipient}}"
                subject: "New sign-in to your account"
                text: |
                  We noticed a sign-in with {{event.method | default: 'an unknown method'}}
                  from {{session.devices[0].ip_address | default: 'an unknown address'}}
                  ({{request_headers.User-Agent[0] | default: 'unknown browser'}}).
          - name: address-verified
            events: [verification.after]
            do:
              - action: outbox
                to: "{{recipient}}"
                subject: "Your address is verified"
                text: "Thanks, {{recipient}} is now verified."
          - name: account-recovered
            events: [recovery.after]
            do:
              - action: outbox
                to: "{{recipient}}"
                subject: "Your account was recovered"
                text: |
                  Your account was just recovered. If this was not you, contact support right away.
          - name: settings-changed
            events: [settings.after]
            do:
              - action: outbox
                to: "{{recipient}}"
                subject: "Your account settings changed"
                text: "Your settings were changed ({{event.method | default: 'profile'}})."
        """
}
