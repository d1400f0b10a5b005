# Shared by the scripts/bench-*-postgres scripts, after scripts/bench/common.sh: a PostgreSQL
# cluster of the script's own (initdb in $work/pg, unix socket only, fsync on, defaults
# otherwise, plus PG_OPTIONS; run as the postgres user when we are root), stopped on exit.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ ! -x "$pg_bin/initdb" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
as_pg=()
mkdir -p "$work/pg"
if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$work"
    chown postgres "$work/pg"
    as_pg=(runuser -u postgres --)
fi
pg_stop() { "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true; }
# common.sh's cleanup kills what is in pids and removes $work; the server goes first.
trap 'pg_stop; cleanup' EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg/data" --auth=trust -U herald --no-sync -E UTF8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w \
    -o "-k $work/pg -c listen_addresses='' -c max_connections=100 ${PG_OPTIONS:-}" start >/dev/null
dsn="host=$work/pg user=herald dbname=postgres"

# sql STATEMENTS: runs them in psql, prints unaligned tuples only.
sql() { "$pg_bin/psql" -h "$work/pg" -U herald -d postgres -v ON_ERROR_STOP=1 -qAtc "$1"; }

# postgres_config DIR PORT BASE_URL CONCURRENCY [extra delivery keys] [route delay]: the route
# of common.sh's herald_config (one Mandrill job per registration, to its recipient) on the
# database, listening on PORT (each instance its own /metrics).
postgres_config() {
    mkdir -p "$1"
    local delay=""
    [ -z "${6:-}" ] || delay="    delay: $6"
    cat >"$1/herald.yaml" <<YAML
listen: ["127.0.0.1:$2"]
state_dir: state
store: { postgres: { dsn: "$dsn" } }
ingress: { insecure_no_auth: true }
delivery: { concurrency: $4, retry: { schedule: [10ms], jitter: 0 }${5:+, $5} }
actions:
  mail:
    plugin: mandrill
    api_key: bench-key-0123456789
    base_url: $3
    from: { email: hello@example.com }
routes:
  - name: welcome
    events: [registration.after]
$delay
    do:
      - action: mail
        template: welcome
        to: "{{recipient}}"
        vars: { FNAME: "{{identity.traits.name.first | default: 'there'}}" }
YAML
}

# wait_ready DIR: waits for "herald ready" in DIR/herald.log (30 s at most).
wait_ready() {
    for _ in $(seq 600); do
        grep -q "herald ready" "$1/herald.log" 2>/dev/null && return 0
        sleep 0.05
    done
    cat "$1/herald.log" >&2
    exit 1
}

# cpu_seconds PID: CPU time of PID, of its children it has reaped, and of its live children (a
# postmaster and its backends, nginx and its workers).
cpu_seconds() {
    python3 - "$1" <<'PY'
import os, sys
root, total = sys.argv[1], 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if pid == root:
        total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    elif fields[1] == root:
        total += int(fields[11]) + int(fields[12])
print(total / os.sysconf("SC_CLK_TCK"))
PY
}

# busy_seconds: CPU seconds the whole machine spent busy since boot (all cores; /proc/stat).
busy_seconds() { awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { print ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat; }
