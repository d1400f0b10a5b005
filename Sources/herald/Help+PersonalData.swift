extension Help {
    static let forget = """
        usage: herald forget --identity ID | --email ADDRESS [--json] [--state-dir DIR | --config FILE]

        Removes everything Herald holds about one person (a deletion request, GDPR Art. 17):
        every queued job and dead letter whose stored content names the Kratos identity id or
        the address (case-insensitive; give both to find both), and the files outbox actions
        wrote about them. The local spool is then rewritten, so that its files no longer hold
        those bytes (nor those of jobs already done). Works on a stopped daemon directly, through
        the control socket of a running one, and on PostgreSQL. Prints the counts and a digest
        of the request; the audit log line carries the same, never the person's data.

          --identity ID     a Kratos identity id (a UUID)
          --email ADDRESS   an email address
          --state-dir DIR   the spool's state_dir; or --config FILE (default: /etc/herald/herald.yaml
                            when it exists, otherwise the embedded default), which also names the
                            outbox directories
          --json            print the answer as JSON

        See docs/personal-data.md for what is stored where and for how long.

        exit codes: 0 ok, 1 runtime failure, 2 usage error, 78 configuration error

        """

    static let export = """
        usage: herald export --identity ID | --email ADDRESS [--state-dir DIR | --config FILE]

        Prints one JSON document of everything Herald holds about one person (an access request,
        GDPR Art. 15): queued jobs and dead letters with their payloads, and the files outbox
        actions wrote, found as herald forget finds them. Changes nothing.

          --identity ID     a Kratos identity id (a UUID)
          --email ADDRESS   an email address
          --state-dir DIR   the spool's state_dir; or --config FILE (as for herald forget)

        exit codes: 0 ok, 1 runtime failure, 2 usage error, 78 configuration error

        """
}
