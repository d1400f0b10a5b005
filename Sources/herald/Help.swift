/// The `--help` texts. Keep them true: every command, option and exit code here exists.
enum Help {
    static let main = """
        herald — routes Ory identity events (Kratos web hooks and courier messages) to actions
        such as Mailchimp Transactional (Mandrill) email, durably.

        usage: herald <command> [options]

        commands:
          serve     run the daemon
          check     validate a configuration, run its route tests, and print a summary
          doctor    check against the live APIs what the configuration relies on (keys, sending
                    domains, templates, audiences, the Mandrill webhook), read-only
          explain   show what a configuration does with one payload, without sending anything
          test      run the route tests (*.test.yaml) beside the configuration's routes
          kratos-config
                    print the Kratos hooks and courier configuration for the routes
          queue     list, show, retry or drop queued jobs (of a stopped or running daemon)
          dead      list, show, retry or drop dead letters
          forget    remove everything held about a person (--identity ID | --email ADDRESS)
          export    print everything held about a person as JSON
          store     store migrate: create or upgrade Herald's tables in PostgreSQL
          health    ask the running daemon for /healthz (or /readyz): a container's health check
          version   print the version

        options:
          --config FILE   the configuration (default: /etc/herald/herald.yaml when it exists,
                          otherwise the embedded default: loopback listener, no auth, outbox routes)
          -h, --help      show help (also: herald <command> --help, herald help <command>)

        exit codes: 0 ok, 1 runtime failure, 2 usage error, 78 configuration error

        """

    static let serve = """
        usage: herald serve [--config FILE]

        Runs the daemon: listens for Kratos web hooks on /v1/events/{flow}/{phase}, /v1/events and
        /v1/courier (and Mandrill's events on /v1/mandrill/events when ingress.mandrill_webhooks is
        set), answers once the jobs are stored, and performs them through the actions.
        SIGTERM or SIGINT stops gracefully; SIGHUP reloads the configuration (an invalid one is
        refused and the running one stays).

        """

    static let check = """
        usage: herald check [--config FILE] [--no-secrets] [--no-tests]

        Validates the configuration, its drop-ins and secrets, reporting every problem at once as
        file:line:column with the source line (exit 78); prints a summary of listeners, actions and
        routes when it is valid (exit 0). A secret that cannot be read is one problem; everything
        that uses it is still checked. Then runs the route tests beside the routes (see herald test
        --help): a failing test makes the check fail (exit 1), so a reload that checks first is
        refused.

          --no-secrets   check ${env:}, ${file:} and ${credential:} references for form only,
                         reading none (for CI, or a machine without the secrets)
          --no-tests     do not run the route tests (the unit's start check: a failing test
                         refuses a reload, but never keeps the service down)

        """

    static let test = """
        usage: herald test [--config FILE] [--verbose] [TESTS.test.yaml ...]

        Runs route tests: each names a payload (inline or a file), the event it arrives as and
        what must happen (the routes that plan jobs, selected fields of the jobs, a denial with its
        message, or nothing). By default the tests are the *.test.yaml files in the directories of
        the configuration and of its included route files (include globs skip them). Nothing is
        sent or stored; secrets are not read. Prints each failure with what differed, then a tally.
        Exit 0 when all pass, 1 when one fails or a test file has a problem (the tally counts
        each problem as a failure).

          --verbose   also list the tests that pass

        """

    static let explain = """
        usage: herald explain [--event NAME] [--method NAME] [--config FILE] [--no-secrets] PAYLOAD.json

        Routes the payload as the daemon would and prints each route: whether it listens to the
        event, whether it matched and, if not, the condition that failed with the value it saw; then
        the jobs it would plan, rendered, with secrets redacted. Nothing is sent or stored.

        --event NAME   the event, such as registration.after or courier.verification_code_valid;
                       may be left out for an envelope ({"event": ..., "ctx": ...}) or a courier
                       message (it has template_type)
        --method NAME  the method of the Kratos hook list that would call (password, oidc, totp,
                       profile, …), as the ?method= of the hooks herald kratos-config writes;
                       without it event.method comes from flow.active or the session
        --no-secrets   read no ${env:}, ${file:} or ${credential:} secret (the rendered jobs show
                       secrets redacted anyway)

        exit codes: 0 explained (whatever the routes decide), 1 the payload cannot be read or is
        not JSON, 2 usage error (also: the payload is not a JSON object, or no event name is given
        or found), 78 configuration error

        """

    static let kratosConfig = """
        usage: herald kratos-config [--config FILE] [--url BASE] [--kratos-version V]
                                    [--merge KRATOS.yml] [--with-secrets]

        Prints the Kratos configuration (YAML) that sends Herald every event its routes listen to:
        a web_hook for each flow and phase, repeated in every per-method list Kratos reads
        (after.password, after.oidc, after.code, …), the pre-persist ?mode=decide hooks of deny
        routes, and courier.http when a route listens to courier.*. Merge it into kratos.yml:
        Kratos replaces hook lists, it never merges them (the output says how).

        --url BASE       where Kratos reaches Herald, such as https://herald.internal.example.com
                         (default: http://HOST:PORT of the first listener; required for a unix
                         socket or port 0)
        --kratos-version V
                         the oldest Kratos the output must suit: 1.1 (the default: every
                         version Herald supports accepts it), 1.2 and later add the passkey
                         lists, 25.4 and later name each hook (config.id), main adds the
                         notify_previous_addresses hook when a route listens to
                         courier.verifiable_address_changed
        --merge KRATOS.yml
                         print that Kratos configuration with Herald's hooks merged in: your
                         hooks kept in every list Herald fills (copied from <flow>.after.hooks
                         where a method list is new, since Kratos then ignores that list),
                         session last, Herald's earlier hooks replaced, the rest untouched;
                         comments are not kept
        --with-secrets   write the ingress credential itself instead of a placeholder

        """

    static let doctor = """
        usage: herald doctor [--config FILE] [--locales L,L,…]

        Checks against the live APIs what the configuration relies on, changing nothing, and
        prints one line per check: ok, warn or fail, with the fix for warn and fail.

          mandrill   each key works (users/ping2); every from domain (the action's, and each
                     step's constant one) is a sending domain of the account, verified, with
                     valid SPF and DKIM (senders/domains, senders/check-domain); every template a
                     route can name exists and is published (templates/info; a name that depends
                     on the event is checked for --locales when it depends on the locale alone,
                     and is a warning otherwise); the webhook at ingress.mandrill_webhooks.url is
                     registered with the events mandrill.* routes listen to (webhooks/list;
                     one missing fails: Mandrill never sends it)
          mailchimp  each key works (GET /ping); every audience a route uses exists
                     (GET /lists/{id}) with the merge fields it sets (GET /lists/{id}/merge-fields)

        Actions are checked four at a time, each within 60s. Secrets are read (the checks need
        the keys) and never printed.

        --locales L,L,…  the locales your users have (en,de,pt-BR), for template names such as
                         welcome-{{event.locale | language}}

        exit codes: 0 every check ok or warn, 1 a check failed, 2 usage error, 78 configuration
        error

        """

    static let version = """
        usage: herald version

        Prints the version.

        """

    static let health = """
        usage: herald health [--ready] [--config FILE] [--address ADDRESS] [--timeout DURATION]

        Asks the running daemon whether it is alive: GET /healthz on the first listener of the
        configuration (a wildcard host such as :4470 is asked on loopback), and prints the
        answer. For a container's HEALTHCHECK or an exec probe, where there is no curl. The
        configuration is read without its secrets.

          --ready              ask /readyz instead: whether new jobs can be stored now (the
                               database reachable, the disk writable)
          --address ADDRESS    ask this listener instead: host:port, [ipv6]:port or unix:/path
          --timeout DURATION   give up after this long (default 5s)

        exit codes: 0 the answer was 200, 1 another answer or none, 2 usage error,
        78 configuration error

        """

    static let store = """
        usage: herald store migrate [--config FILE]

        Creates or upgrades Herald's tables in the PostgreSQL database the configuration names
        (store: postgres: {dsn: …}). Each schema version is applied once, in its own transaction;
        running it again, or from two hosts at once, is safe. herald serve refuses a database whose
        schema it does not know and names this command.

        exit codes: 0 ok, 1 the database cannot be reached, 2 usage, 78 configuration error or a
        schema newer than this Herald

        """

    static let queue = """
        usage: herald queue list [--limit N] [--route NAME] [--action NAME] [--since DURATION] [--json]
                                 [--state-dir DIR | --config FILE]
               herald queue show|retry|drop ID [--json] [--state-dir DIR | --config FILE]

        The jobs waiting to be performed, oldest first. Works on the spool of a stopped daemon
        directly, and through the control socket (state_dir/control.sock) of a running one, so
        that the daemon makes the change and its scheduler follows.

          list    id, action, route, event, attempts and next attempt, or what the job waits for
                  (the first 50; --limit N, 0 for all); --route, --action and --since (created
                  within that long, such as 2h) narrow it
          show    one job with its rendered payload (what the action sends; secrets are added
                  only when it runs)
          retry   run the job now (a job waiting behind an earlier one to the same recipient
                  still waits for it)
          drop    remove the job for good; it will not be sent (an attempt under way finishes)

        --state-dir DIR   the spool's state_dir; or --config FILE to take its state_dir (default:
                          /etc/herald/herald.yaml when it exists, otherwise the embedded default)
        --json            print the answer as JSON

        exit codes: 0 ok, 1 runtime failure, 2 usage error or unknown job id, 78 configuration error

        """

    static let dead = """
        usage: herald dead list [--limit N] [--route NAME] [--action NAME] [--since DURATION] [--json] …
               herald dead show|retry|drop ID [--json] [--state-dir DIR | --config FILE]
               herald dead retry --all | [--route NAME] [--action NAME] [--since DURATION] [--dry-run]

        Dead letters: jobs that failed permanently or outlived delivery.retry.max_age, with the
        reason, the attempts made and the last answer. Works on a stopped or running daemon, like
        herald queue.

          list    id, action, route, event, attempts, when it died and why (the first 50;
                  --limit N, 0 for all); --route, --action and --since (died within that long)
                  narrow it
          show    one dead letter: reason, last answer and the rendered payload
          retry   put it back in the queue as a new series of attempts (max_age counts from now);
                  without an id, every dead letter --route, --action and --since match, or
                  --all of them; --dry-run lists them and changes nothing
          drop    remove it for good

        --state-dir DIR   the spool's state_dir; or --config FILE to take its state_dir
        --json            print the answer as JSON

        exit codes: 0 ok, 1 runtime failure, 2 usage error or unknown id, 78 configuration error

        """
}
