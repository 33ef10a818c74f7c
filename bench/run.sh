#!/usr/bin/env bash
# Performance harness (issue 7): cold start, webhook ingestion vs pgbench, the tenant-scoped list read vs a raw ASP.NET Core +
# Npgsql baseline, aggregation lag, peak RSS. Each throughput figure is min / median / max of ROUNDS runs. Prints a table and
# writes bench/results/latest.md. Uses its own PostgreSQL cluster in a temp dir on its own port (never a developer's data), with
# default durability (fsync on), and removes everything it started on exit, failure included.
#   bench/run.sh                 # defaults below; override with env, e.g. EVENTS=2000 STARTS=3 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

ROUNDS=${ROUNDS:-3}             # runs of each throughput measure (min / median / max reported)
EVENTS=${EVENTS:-5000}          # signed events per concurrency level and round
WARMUP=${WARMUP:-500}           # events posted first, not measured
STARTS=${STARTS:-5}             # cold starts measured
PGBENCH_SECONDS=${PGBENCH_SECONDS:-5} # per level and round
LAG_RATE=${LAG_RATE:-1000}      # aggregation lag: events/s offered ...
LAG_SECONDS=${LAG_SECONDS:-60}  # ... for this long (LAG_SECONDS=0 skips it)
LEVELS=${LEVELS:-1,16,64}
TENANTS=${TENANTS:-100}         # list read: workspaces (made through Flow 1) ...
AUTOMATIONS=${AUTOMATIONS:-1000} # ... with this many automations each (one version each)
READS=${READS:-10000}           # GET /v1/automations?limit=50 per concurrency level and round (service and baseline alike)
READ_LEVELS=${READ_LEVELS:-16,64}
# Free ports picked by the kernel, so a concurrent run or another service on this machine is never in the way.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PG_PORT=${PG_PORT:-$(free_port)}

WORK=$(mktemp -d /tmp/wrk-bench.XXXXXX)
chmod 755 "$WORK"
PGROOT="$WORK/pg"
APP_PID=""
BASE_PID=""
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PG_BIN/pg_ctl" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  set +e
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null
  [ -n "$BASE_PID" ] && kill "$BASE_PID" 2>/dev/null && wait "$BASE_PID" 2>/dev/null
  if [ -f "$PGROOT/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# pgbench ships with the server binaries; install the client package only when missing (Debian).
if [ ! -x "$PG_BIN/pgbench" ] && ! command -v pgbench >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q postgresql-contrib >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql-contrib >/dev/null 2>&1; }
  fi
fi
PGBENCH="$PG_BIN/pgbench"; [ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench)

echo "Building (Release)..." >&2
dotnet build -c Release -v q -nologo src/WrkCopilot >/dev/null
dotnet build -c Release -v q -nologo bench/WrkCopilot.Bench >/dev/null
APP_DIR="$REPO/src/WrkCopilot/bin/Release/net10.0"
LOADGEN="$REPO/bench/WrkCopilot.Bench/bin/Release/net10.0/WrkCopilot.Bench.dll"

SECRET="whsec_$(head -c 32 /dev/urandom | base64 -w 0)"
export ASPNETCORE_ENVIRONMENT=Production
export Auth__SigningKeys__0__Kid=bench
export Auth__SigningKeys__0__Secret="$(head -c 32 /dev/urandom | base64 -w 0)"
export LocalDatabase__DataDirectory="$PGROOT"
export LocalDatabase__Port="$PG_PORT"
export WrkPlatform__WebhookSecrets__0="$SECRET"
export WrkPlatform__Mode=Simulated   # Production refuses an implicit simulator; the webhook never calls the platform
# The webhook's own per-minute limit would refuse the load itself; the bench measures throughput, not the limiter.
export Http__WebhookRequestsPerMinute=100000000
# Likewise the signups that make the list read's workspaces, and the reads themselves (the limiter still runs per request).
export Http__AnonymousRequestsPerMinute=100000000
export Http__TenantRequestsPerMinute=100000000

psql_owner() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$PGROOT" -p "$PG_PORT" -U postgres -d wrk_copilot "$@"; }

# Starts the service and waits for /health/ready; sets START_MS to the milliseconds from process start to healthy.
# (Not called in $(...): APP_PID must be set in this shell, or neither stop_service nor the trap could stop it.)
start_service() {
  local log=$1 t0 t1
  APP_PORT=$(free_port)
  export ASPNETCORE_URLS="http://127.0.0.1:$APP_PORT"
  t0=$(date +%s%N)
  (cd "$APP_DIR" && exec dotnet WrkCopilot.dll >"$log" 2>&1) &
  APP_PID=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$APP_PORT/health/ready"; do
    kill -0 "$APP_PID" 2>/dev/null || { echo "service exited; log:" >&2; tail -n 30 "$log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  START_MS=$(( (t1 - t0) / 1000000 ))
}
stop_service() { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; APP_PID=""; }
# CPU accounting (ms), to show what limits a load: the service process; PostgreSQL (the postmaster with its waited-for
# children plus every live backend); this script's finished children (the load generator, pgbench's client).
HZ=$(getconf CLK_TCK)
proc_cpu_ms() { awk -v hz="$HZ" '{printf "%d\n", ($14 + $15) * 1000 / hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_cpu_ms() {
  local pm; pm=$(head -n 1 "$PGROOT/data/postmaster.pid")
  { awk -v hz="$HZ" '{printf "%d\n", ($14 + $15 + $16 + $17) * 1000 / hz}' "/proc/$pm/stat"
    for c in $(pgrep -P "$pm"); do proc_cpu_ms "$c"; done; } | awk '{s += $1} END {print s + 0}'
}
# `times` must run in this shell (a $(…) subshell has children of its own): it fills CPU_NOW=(service PostgreSQL children).
cpu_now() {
  times >"$WORK/times.txt"
  CPU_NOW=("$(proc_cpu_ms "${APP_PID:-0}")" "$(pg_cpu_ms)" "$(tail -n 1 "$WORK/times.txt" | awk '{ for (i = 1; i <= 2; i++) { split($i, t, "m"); sub("s", "", t[2]); s += t[1] * 60000 + t[2] * 1000 } } END {printf "%d", s}')")
}

# PROFILE=1: a thread-time sampling trace of the service (dotnet-trace, installed into the run's temp dir) over the first
# PROFILE_SECONDS (default 20) of the ingestion and of the list-read loads, summarised into bench/results/profile-<load>.txt
# (methods longest on the stack). dotnet-trace stops by itself: a background job ignores SIGINT, and it reads no stdin here.
TRACE_PID=""
trace_start() {
  [ "${PROFILE:-0}" = 1 ] || return 0
  [ -x "$WORK/tools/dotnet-trace" ] || dotnet tool install --tool-path "$WORK/tools" dotnet-trace >/dev/null
  "$WORK/tools/dotnet-trace" collect -p "$APP_PID" --profile dotnet-sampled-thread-time --duration "00:00:00:${PROFILE_SECONDS:-20}" \
    -o "$WORK/$1.nettrace" >/dev/null 2>&1 </dev/null &
  TRACE_PID=$!
  sleep 2
}
trace_stop() {
  [ -n "$TRACE_PID" ] || return 0
  wait "$TRACE_PID" || true; TRACE_PID=""
  mkdir -p bench/results
  { "$WORK/tools/dotnet-trace" report "$WORK/$1.nettrace" topN -n 60 --inclusive
    "$WORK/tools/dotnet-trace" report "$WORK/$1.nettrace" topN -n 40; } >"bench/results/profile-$1.txt" 2>&1 || true
}

# --- 5. Cold start ----------------------------------------------------------------------------------------------------
echo "First start (creates the cluster, applies migrations; not measured)..." >&2
start_service "$WORK/first.log"
stop_service
starts=()
for i in $(seq 1 "$STARTS"); do
  start_service "$WORK/start$i.log"
  starts+=("$START_MS")
  stop_service
done
read -r START_MIN START_MED START_MAX < <(printf '%s\n' "${starts[@]}" | sort -n | awk '{a[NR]=$1} END {print a[1], a[int((NR+1)/2)], a[NR]}')
echo "Cold start (ms): ${starts[*]}" >&2

# --- 1. Webhook ingestion ---------------------------------------------------------------------------------------------
TENANT=$(cat /proc/sys/kernel/random/uuid); AUTOMATION=$(cat /proc/sys/kernel/random/uuid)
VERSION=$(cat /proc/sys/kernel/random/uuid); BINDING=$(cat /proc/sys/kernel/random/uuid)
WORKFLOW="wf_bench_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# A second workflow for the lag probe, so the ingestion's own usage changes never count towards it.
LAG_AUTOMATION=$(cat /proc/sys/kernel/random/uuid); LAG_VERSION=$(cat /proc/sys/kernel/random/uuid)
LAG_BINDING=$(cat /proc/sys/kernel/random/uuid); LAG_WORKFLOW="${WORKFLOW}_lag"
psql_owner <<SQL
INSERT INTO tenants (id, name, kind, currency, ai_processing, created_at, updated_at)
  VALUES ('$TENANT', 'Bench', 'client', 'USD', true, now(), now());
INSERT INTO automations (id, tenant_id, name, created_at, updated_at) VALUES ('$AUTOMATION', '$TENANT', 'Bench', now(), now());
INSERT INTO automation_versions (id, tenant_id, automation_id, version, major, minor, status, blueprint_json, intake_progress,
    row_version, created_at, updated_at)
  VALUES ('$VERSION', '$TENANT', '$AUTOMATION', 'v1.0', 1, 0, 'live', '{}'::jsonb, 0, 1, now(), now());
INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, wrk_workflow_url, status, created_at, updated_at)
  VALUES ('$BINDING', '$TENANT', '$VERSION', '$WORKFLOW', 'https://wrk.example/wf', 'active', now(), now());
INSERT INTO automations (id, tenant_id, name, created_at, updated_at) VALUES ('$LAG_AUTOMATION', '$TENANT', 'Bench lag', now(), now());
INSERT INTO automation_versions (id, tenant_id, automation_id, version, major, minor, status, blueprint_json, intake_progress,
    row_version, created_at, updated_at)
  VALUES ('$LAG_VERSION', '$TENANT', '$LAG_AUTOMATION', 'v1.0', 1, 0, 'live', '{}'::jsonb, 0, 1, now(), now());
INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, wrk_workflow_url, status, created_at, updated_at)
  VALUES ('$LAG_BINDING', '$TENANT', '$LAG_VERSION', '$LAG_WORKFLOW', 'https://wrk.example/wf', 'active', now(), now());
CREATE TABLE bench_run_events (LIKE run_events INCLUDING ALL);
SQL

echo "Webhook ingestion: $EVENTS events per level at concurrency $LEVELS..." >&2
start_service "$WORK/load.log"
trace_start ingest
cpu_now; CPU0=("${CPU_NOW[@]}")
dotnet "$LOADGEN" --url "http://127.0.0.1:$APP_PORT" --secret "$SECRET" --workflow "$WORKFLOW" \
  --count "$EVENTS" --warmup "$WARMUP" --concurrency "$LEVELS" --rounds "$ROUNDS" >"$WORK/ingest.tsv"
cpu_now; CPU1=("${CPU_NOW[@]}")
INGEST_SENT=$(awk -F'\t' -v w="$WARMUP" '{s += $2} END {print s + w}' "$WORK/ingest.tsv")
trace_stop ingest
# --- 3. Aggregation lag: acceptance → counted in usage_aggregates, at a sustained offered rate (same service process).
LAG_LINE=""
if [ "$LAG_SECONDS" -gt 0 ]; then
  echo "Aggregation lag: $LAG_RATE events/s for ${LAG_SECONDS}s..." >&2
  LAG_LINE=$(dotnet "$LOADGEN" --lag --url "http://127.0.0.1:$APP_PORT" --secret "$SECRET" --workflow "$LAG_WORKFLOW" \
    --rate "$LAG_RATE" --seconds "$LAG_SECONDS" --version "$LAG_VERSION" \
    --database "Host=$PGROOT;Port=$PG_PORT;Username=postgres;Database=wrk_copilot")
fi
# --- 4. Peak RSS under load 1: the kernel's high-water mark of the service process over its whole life (start, ingestion, lag).
PEAK_RSS1_KB=$(awk '/VmHWM/ {print $2}' "/proc/$APP_PID/status")
stop_service
STORED=$(psql_owner -At -c "SELECT count(*) FROM run_events WHERE workflow_binding_id = '$BINDING'")

# --- 2. Tenant-scoped list read: TENANTS workspaces × AUTOMATIONS automations, a fresh service process (so its VmHWM is load 2's).
echo "List read: $TENANTS workspaces × $AUTOMATIONS automations, $READS reads per level at concurrency $READ_LEVELS..." >&2
start_service "$WORK/list.log"
dotnet "$LOADGEN" --url "http://127.0.0.1:$APP_PORT" --signup "$TENANTS" >"$WORK/tokens.tsv"
cut -f1 "$WORK/tokens.tsv" | sed "s/.*/('&'::uuid)/" | paste -sd, >"$WORK/tenants.txt"
psql_owner <<SQL
BEGIN;
CREATE TEMP TABLE bench_list_tenants (id uuid) ON COMMIT DROP;
INSERT INTO bench_list_tenants VALUES $(cat "$WORK/tenants.txt");
INSERT INTO automations (id, tenant_id, name, department, created_at, updated_at)
  SELECT gen_random_uuid(), t.id, 'Automation ' || g, (ARRAY['Sales','Finance','Ops','HR'])[1 + g % 4],
         now() - make_interval(mins => g), now() - make_interval(mins => g)
  FROM bench_list_tenants t CROSS JOIN generate_series(1, $AUTOMATIONS) g;
INSERT INTO automation_versions (id, tenant_id, automation_id, version, major, minor, status, blueprint_json, intake_progress,
    row_version, created_at, updated_at)
  SELECT gen_random_uuid(), a.tenant_id, a.id, 'v1.0', 1, 0,
         (ARRAY['intake_in_progress','needs_pricing','build_in_progress','live'])[1 + (hashtext(a.id::text) & 3)],
         '{}'::jsonb, 0, 1, a.created_at, a.created_at
  FROM automations a JOIN bench_list_tenants t ON t.id = a.tenant_id;
COMMIT;
ANALYZE automations; ANALYZE automation_versions;
SQL
BASE_PORT=$(free_port)
dotnet "$LOADGEN" --serve-baseline --url "http://127.0.0.1:$BASE_PORT" \
  --database "Host=$PGROOT;Port=$PG_PORT;Username=wrk_app;Password=wrk_app_local;Database=wrk_copilot;Maximum Pool Size=16" \
  >"$WORK/baseline.log" 2>&1 &
BASE_PID=$!
until curl -fs -o /dev/null "http://127.0.0.1:$BASE_PORT/automations?limit=1&tenant=$(head -n 1 "$WORK/tokens.tsv" | cut -f1)"; do
  kill -0 "$BASE_PID" 2>/dev/null || { echo "baseline exited; log:" >&2; tail -n 30 "$WORK/baseline.log" >&2; exit 1; }
  sleep 0.05
done
# The HTTP ceiling for the webhook figures: the same pre-signed requests to the baseline's POST that only reads its body.
dotnet "$LOADGEN" --url "http://127.0.0.1:$BASE_PORT" --secret "$SECRET" --workflow "$WORKFLOW" \
  --count "$EVENTS" --warmup "$WARMUP" --concurrency "$LEVELS" --rounds "$ROUNDS" >"$WORK/ceiling.tsv"
# Alternating service and baseline per level, so a slow spell of this shared machine does not fall on one of them only.
: >"$WORK/reads.tsv"; : >"$WORK/baseline.tsv"
trace_start list
cpu_now; LCPU0=("${CPU_NOW[@]}")
for c in ${READ_LEVELS//,/ }; do
  dotnet "$LOADGEN" --reads --url "http://127.0.0.1:$APP_PORT" --tokens "$WORK/tokens.tsv" --count "$READS" \
    --concurrency "$c" --rounds "$ROUNDS" >>"$WORK/reads.tsv"
  dotnet "$LOADGEN" --reads --baseline --url "http://127.0.0.1:$BASE_PORT" --tokens "$WORK/tokens.tsv" --count "$READS" \
    --concurrency "$c" --rounds "$ROUNDS" >>"$WORK/baseline.tsv"
done
cpu_now; LCPU1=("${CPU_NOW[@]}")
trace_stop list
PEAK_RSS2_KB=$(awk '/VmHWM/ {print $2}' "/proc/$APP_PID/status")
kill "$BASE_PID" 2>/dev/null; wait "$BASE_PID" 2>/dev/null || true; BASE_PID=""
stop_service

# The same single-row insert, straight into PostgreSQL, at the same concurrency levels.
cat >"$WORK/insert.sql" <<SQL
INSERT INTO bench_run_events (id, tenant_id, workflow_binding_id, automation_version_id, run_id, status, started_at,
    completed_at, error_message, cost, metadata_json, webhook_id, created_at, updated_at)
VALUES (gen_random_uuid(), '$TENANT', '$BINDING', '$VERSION', gen_random_uuid()::text, 'succeeded', now() - interval '1 minute',
    now(), NULL, 0.0125, '{"trigger":"schedule"}'::jsonb, gen_random_uuid()::text, now(), now())
ON CONFLICT DO NOTHING;
SQL
chmod 644 "$WORK/insert.sql"
: >"$WORK/pgbench.tsv"
cpu_now; GCPU0=("${CPU_NOW[@]}")
for c in ${LEVELS//,/ }; do
  j=$(( c < 2 ? 1 : 2 ))
  for r in $(seq 1 "$ROUNDS"); do
    tps=$(as_pg "$PGBENCH" -n -h "$PGROOT" -p "$PG_PORT" -U postgres -c "$c" -j "$j" -T "$PGBENCH_SECONDS" \
        -f "$WORK/insert.sql" wrk_copilot 2>&1 | awk -F'= ' '/^tps/ {split($2, a, " "); printf "%.0f", a[1]}')
    printf '%s\t%s\n' "$c" "$tps" >>"$WORK/pgbench.tsv"
  done
done
cpu_now; GCPU1=("${CPU_NOW[@]}")
PGBENCH_TX=$(awk -F'\t' -v s="$PGBENCH_SECONDS" '{n += $2 * s} END {printf "%d", n}' "$WORK/pgbench.tsv")

# min / median / max of column $2 (1-based) over the lines of file $3 whose first column is $1.
mmm() { awk -F'\t' -v c="$1" -v k="$2" '$1 == c {print $k}' "$3" | sort -g | awk '{a[NR]=$1} END {if (NR) print a[1], a[int((NR+1)/2)], a[NR]; else print "0 0 0"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# --- Table ------------------------------------------------------------------------------------------------------------
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo)
PGVER=$("$PG_BIN/postgres" --version | awk '{print $3}')
{
  echo "# Benchmark results"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $COMMIT"
  echo "- Machine: $(nproc) cores ($CPU), $MEM RAM; PostgreSQL $PGVER (own cluster, default durability); .NET $(dotnet --version)"
  echo "- Service: Release build, simulated WRK Platform; $ROUNDS rounds of $EVENTS signed events per concurrency level (pre-signed); pgbench $ROUNDS × ${PGBENCH_SECONDS}s per level; list read $ROUNDS × $READS requests per level, service and baseline alternating"
  echo
  echo "| Measure | Figure | Target |"
  echo "|---|---|---|"
  echo "| Cold start to /health/ready (min / median / max of $STARTS, ms) | $START_MIN / $START_MED / $START_MAX | median ≤ 3000 |"
  for c in ${LEVELS//,/ }; do
    read -r e_min e_med e_max < <(mmm "$c" 4 "$WORK/ingest.tsv")
    read -r _ p50 _ < <(mmm "$c" 5 "$WORK/ingest.tsv"); read -r _ p99 p99_max < <(mmm "$c" 6 "$WORK/ingest.tsv")
    read -r g_min g_med g_max < <(mmm "$c" 2 "$WORK/pgbench.tsv")
    fails=$(awk -F'\t' -v c="$c" '$1 == c {s += $7} END {print s + 0}' "$WORK/ingest.tsv")
    target=""; [ "$c" = 64 ] && target="≥ 1.0× (aim 2.0×)"; [ "$c" = 16 ] && target="p99 ≤ 50 ms"
    read -r _ h_med _ < <(mmm "$c" 4 "$WORK/ceiling.tsv")
    echo "| HTTP ceiling, concurrency $c: the same requests to a bare ASP.NET Core POST that only reads its body (median requests/s) | $h_med; the service reaches **$(ratio "$e_med" "$h_med")×** of it | |"
    echo "| Webhook ingestion, concurrency $c: events/s min / **median** / max (p50 / p99 ms, median; non-2xx) vs pgbench TPS min / median / max | $e_min / **$e_med** / $e_max ($p50 / $p99; $fails) vs $g_min / $g_med / $g_max = **$(ratio "$e_med" "$g_med")×** | $target |"
  done
  for c in ${READ_LEVELS//,/ }; do
    read -r s_min s_med s_max < <(mmm "$c" 4 "$WORK/reads.tsv")
    read -r _ s_p50 _ < <(mmm "$c" 5 "$WORK/reads.tsv"); read -r _ s_p99 _ < <(mmm "$c" 6 "$WORK/reads.tsv")
    read -r b_min b_med b_max < <(mmm "$c" 4 "$WORK/baseline.tsv")
    read -r _ b_p99 _ < <(mmm "$c" 6 "$WORK/baseline.tsv")
    fails=$(awk -F'\t' -v c="$c" '$1 == c {s += $7} END {print s + 0}' "$WORK/reads.tsv" "$WORK/baseline.tsv")
    target="≥ 0.5×"; [ "$c" = 16 ] && target="≥ 0.5×; p99 ≤ 25 ms"
    echo "| List read (\`GET /v1/automations?limit=50\`, $TENANTS tenants × $AUTOMATIONS), concurrency $c: requests/s min / **median** / max (p50 / p99 ms; non-2xx) vs raw baseline min / median / max (p99 ms) | $s_min / **$s_med** / $s_max ($s_p50 / $s_p99; $fails) vs $b_min / $b_med / $b_max ($b_p99) = **$(ratio "$s_med" "$b_med")×** | $target |"
  done
  per_k() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1000 / n; else print "n/a" }'; }
  READS_SENT=$(awk -F'\t' '{s += $2} END {print s + 0}' "$WORK/reads.tsv" "$WORK/baseline.tsv")
  echo "| CPU ms per 1,000 webhook events (all levels, warm-up included): service / PostgreSQL / load generator | $(per_k "${CPU0[0]}" "${CPU1[0]}" "$INGEST_SENT") / $(per_k "${CPU0[1]}" "${CPU1[1]}" "$INGEST_SENT") / $(per_k "${CPU0[2]}" "${CPU1[2]}" "$INGEST_SENT") | (2 cores = 2,000 ms/s) |"
  echo "| CPU ms per 1,000 pgbench inserts: PostgreSQL / pgbench client | $(per_k "${GCPU0[1]}" "${GCPU1[1]}" "$PGBENCH_TX") / $(per_k "${GCPU0[2]}" "${GCPU1[2]}" "$PGBENCH_TX") | |"
  echo "| CPU ms per 1,000 list reads (service and baseline together): service / PostgreSQL (the raw baseline's reads included) / load generator | $(per_k "${LCPU0[0]}" "${LCPU1[0]}" "$READS_SENT") / $(per_k "${LCPU0[1]}" "${LCPU1[1]}" "$READS_SENT") / $(per_k "${LCPU0[2]}" "${LCPU1[2]}" "$READS_SENT") | |"
  echo "| Peak RSS of the service, load 1 (start + ingestion + lag probe, VmHWM) | $(( PEAK_RSS1_KB / 1024 )) MB | ≤ 300 MB |"
  echo "| Peak RSS of the service, load 2 (start + $TENANTS signups + list reads, VmHWM) | $(( PEAK_RSS2_KB / 1024 )) MB | ≤ 300 MB |"
  if [ -n "$LAG_LINE" ]; then
    IFS=$'\t' read -r l_acc l_secs l_rate l_p50 l_p99 l_max l_counted <<<"$LAG_LINE"
    echo "| Aggregation lag at $LAG_RATE events/s offered for ${LAG_SECONDS}s (achieved $l_rate/s): p50 / p99 / max ms | $l_p50 / $l_p99 / $l_max | p99 ≤ 2000 |"
    echo "| Lag probe: events counted in usage_aggregates / accepted | $l_counted / $l_acc | equal |"
  fi
  echo "| Events stored / sent (warm-up included) | $STORED / $(awk -F'\t' -v w="$WARMUP" '{s += $2} END {print s + w}' "$WORK/ingest.tsv") | equal |"
  echo
  echo "Per round (concurrency, requests, seconds, per second, p50 ms, p99 ms, non-2xx):"
  echo
  echo '```'
  echo "# webhook ingestion"; cat "$WORK/ingest.tsv"
  echo "# pgbench (concurrency, TPS)"; cat "$WORK/pgbench.tsv"
  echo "# HTTP ceiling (bare POST)"; cat "$WORK/ceiling.tsv"
  echo "# list read, service"; cat "$WORK/reads.tsv"
  echo "# list read, raw baseline"; cat "$WORK/baseline.tsv"
  echo '```'
} >"$WORK/results.md"
mkdir -p bench/results
cp "$WORK/results.md" bench/results/latest.md
cat bench/results/latest.md
