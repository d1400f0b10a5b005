# Shared by the scripts/bench-* scripts: tools, a release build (or HERALD_BIN), a work directory
# cleaned up on exit, nginx (canned 202 on /, canned Mandrill 200 on /api/), a provider that never answers,
# the compact registration payload. Source it from the repository root.
export PATH="/opt/swift/usr/bin:$PATH"
nginx_port="${NGINX_PORT:-18481}"
herald_port="${HERALD_PORT:-18470}"
parked_port="${PARKED_PORT:-18482}"
slow_port="${SLOW_PORT:-18483}"
if ! command -v wrk >/dev/null || { ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; }; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
scripts/setup
swift build -c release --scratch-path .build-release --product herald -Xswiftc -warnings-as-errors >/dev/null
swift build -c release --scratch-path .build-release --product herald-bench -Xswiftc -warnings-as-errors >/dev/null
# HERALD_BIN runs another herald binary (an older build, for before/after figures) against the
# same references.
herald_bin="${HERALD_BIN:-$PWD/.build-release/release/herald}"
bench_bin="$PWD/.build-release/release/herald-bench"

work="$(mktemp -d "${BENCH_TMP:-/tmp}/herald-bench.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(',', ':')), end='')" \
    etc/examples/registration-after.json >"$work/body.json"
printf '%s' '{"key":"k","template_name":"welcome","template_content":[],"message":{"to":[{"email":"jane.doe@example.com","type":"to"}],"from_email":"hello@example.com","metadata":{"herald_job":"x"}}}' >"$work/mandrill.json"

start_nginx() {
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nginx_port;
        client_body_buffer_size 64k;
        client_max_body_size 1m;
        location /api/ {
            default_type application/json;
            return 200 '[{"email":"jane.doe@example.com","status":"sent","reject_reason":null,"queued_reason":null,"_id":"abc123"}]';
        }
        location / {
            default_type application/json;
            return 202 '{"event_id":"01a21de6-89c8-7308-9758-4c871c6cdb8e","event":"registration.after","jobs":1,"routes":["welcome"],"duplicate":false}';
        }
    }
}
CONF
    "$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
    pids+=($!)
}

# The slow provider: accepts connections (the kernel's backlog) and never answers.
start_parked() {
    python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $parked_port)); s.listen(4096); time.sleep(3600)" &
    pids+=($!)
}

# herald_config DIR BASE_URL CONCURRENCY [DELAY]: one Mandrill route for registration.after;
# with DELAY (e.g. 1h) its jobs are planned and stored at once but performed that much later.
herald_config() {
    mkdir -p "$1"
    # HERALD_CONFIG_EXTRA: more top-level settings (e.g. a console: section), for a with/without run.
    local extra="${HERALD_CONFIG_EXTRA:-}"
    local delay=""
    [ -z "${4:-}" ] || delay="    delay: $4"
    cat >"$1/herald.yaml" <<YAML
listen: ["127.0.0.1:$herald_port"]
state_dir: state
ingress: { insecure_no_auth: true }
delivery: { concurrency: $3, retry: { schedule: [10ms], jitter: 0 } }
actions:
  mail:
    plugin: mandrill
    api_key: bench-key-0123456789
    base_url: $2
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
$extra
YAML
}

# start_herald DIR: runs herald serve in DIR; sets herald_pid; waits for "herald ready".
start_herald() {
    (cd "$1" && exec "$herald_bin" serve --config herald.yaml 2>"$1/herald.log") &
    herald_pid=$!
    pids+=("$herald_pid")
    for _ in $(seq 600); do
        grep -q "herald ready" "$1/herald.log" 2>/dev/null && return 0
        sleep 0.05
    done
    cat "$1/herald.log" >&2
    exit 1
}

stop_herald() {
    kill -TERM "$herald_pid" 2>/dev/null || true
    wait "$herald_pid" 2>/dev/null || true
}

# metric NAME_AND_LABELS: a value from herald's /metrics (0 when absent).
metric() {
    curl -s "http://127.0.0.1:$herald_port/metrics" | awk -v name="$1" '$1 == name { print $2; found = 1 } END { if (!found) print 0 }'
}
